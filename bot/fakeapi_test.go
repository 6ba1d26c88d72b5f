package bot

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// fakeToken is the token the fake Bot API accepts.
const fakeToken = "123456:TEST-token"

// sent is one call the bot made to the fake Bot API that sends or changes
// something the user sees.
type sent struct {
	Method    string
	ChatID    int64
	MessageID int // of the message sent or edited
	Text      string
	Markup    string // reply_markup JSON
	Photo     []byte // sendPhoto upload
	At        time.Time
}

// fakeAPI is an in-process Telegram Bot API over HTTP: getMe, getUpdates
// (long poll: held until an update is pending or the timeout passes),
// sendMessage, sendPhoto, editMessageText, answerCallbackQuery, getFile
// with file download, setWebhook and deleteWebhook. It records what the
// bot sent and lets a test inject 429 and 403 answers.
type fakeAPI struct {
	srv *httptest.Server

	mu       sync.Mutex
	wake     chan struct{} // closed and replaced when an update is queued
	updates  []tgbotapi.Update
	nextUpd  int
	nextMsg  int
	sent     []sent
	answered []string // callback query ids
	calls    map[string]int
	files    map[string][]byte // file_id -> bytes (file_path = "photos/<file_id>")
	flood    map[string]int    // method -> pending 429 answers
	blocked  map[int64]bool    // chats that answer 403
	refused  map[int64]int     // 403 answers per chat
	migrated map[int64]int64   // groups upgraded to supergroups: old id -> new id
	floodAt  time.Time         // when the last 429 was answered
	webhook  url
	shown    map[int]string                   // message id -> text and markup now shown
	commands map[string][]tgbotapi.BotCommand // language_code -> command menu
}

// url is what setWebhook was given.
type url struct{ URL, Secret string }

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{wake: make(chan struct{}), nextUpd: 1000, nextMsg: 1, calls: map[string]int{},
		files: map[string][]byte{}, flood: map[string]int{}, blocked: map[int64]bool{}, refused: map[int64]int{}, migrated: map[int64]int64{}, shown: map[int]string{}, commands: map[string][]tgbotapi.BotCommand{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// endpoints returns the API and file endpoint formats pointing at f.
func (f *fakeAPI) endpoints() (api, file string) {
	return f.srv.URL + "/bot%s/%s", f.srv.URL + "/file/bot%s/%s"
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if path, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+fakeToken+"/"); ok {
		f.download(w, path)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+fakeToken+"/")
	if !ok {
		reply(w, 401, nil, "Unauthorized", 0)
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		_ = r.ParseMultipartForm(32 << 20)
	} else {
		_ = r.ParseForm()
	}
	f.mu.Lock()
	f.calls[method]++
	if n := f.flood[method]; n > 0 {
		f.flood[method] = n - 1
		f.floodAt = time.Now()
		f.mu.Unlock()
		reply(w, 429, nil, "Too Many Requests: retry after 1", 1)
		return
	}
	f.mu.Unlock()
	switch method {
	case "getMe":
		reply(w, 200, tgbotapi.User{ID: 42, IsBot: true, FirstName: "Phản ánh", UserName: "phananh_test_bot"}, "", 0)
	case "getUpdates":
		f.getUpdates(w, r)
	case "sendMessage", "sendPhoto", "editMessageText":
		f.record(w, r, method)
	case "answerCallbackQuery":
		f.mu.Lock()
		f.answered = append(f.answered, r.FormValue("callback_query_id"))
		f.mu.Unlock()
		reply(w, 200, true, "", 0)
	case "getFile":
		f.getFile(w, r.FormValue("file_id"))
	case "setWebhook":
		f.mu.Lock()
		f.webhook = url{r.FormValue("url"), r.FormValue("secret_token")}
		f.mu.Unlock()
		reply(w, 200, true, "", 0)
	case "setMyCommands":
		var cmds []tgbotapi.BotCommand
		if err := json.Unmarshal([]byte(r.FormValue("commands")), &cmds); err != nil || len(cmds) == 0 {
			reply(w, 400, nil, "Bad Request: can't parse commands", 0)
			return
		}
		f.mu.Lock()
		f.commands[r.FormValue("language_code")] = cmds
		f.mu.Unlock()
		reply(w, 200, true, "", 0)
	case "deleteWebhook":
		f.mu.Lock()
		f.webhook = url{}
		f.mu.Unlock()
		reply(w, 200, true, "", 0)
	default:
		reply(w, 404, nil, "Not Found: method not found", 0)
	}
}

// reply writes a Bot API answer.
func reply(w http.ResponseWriter, status int, result any, desc string, retry int) {
	if status != 200 {
		var params map[string]any
		if retry > 0 {
			params = map[string]any{"retry_after": retry}
		}
		replyParams(w, status, desc, params)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

// replyParams writes a Bot API error with response parameters.
func replyParams(w http.ResponseWriter, status int, desc string, params map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]any{"ok": false, "error_code": status, "description": desc}
	if params != nil {
		body["parameters"] = params
	}
	_ = json.NewEncoder(w).Encode(body)
}

// getUpdates answers pending updates with id >= offset at once (dropping
// older ones: that is how the bot confirms them), or holds the request
// until one is queued or the timeout passes.
func (f *fakeAPI) getUpdates(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.Atoi(r.FormValue("offset"))
	timeout, _ := strconv.Atoi(r.FormValue("timeout"))
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		kept := f.updates[:0]
		for _, u := range f.updates {
			if u.UpdateID >= offset {
				kept = append(kept, u)
			}
		}
		f.updates = kept
		out := append([]tgbotapi.Update(nil), kept...)
		wake := f.wake
		f.mu.Unlock()
		if len(out) > 0 || timeout == 0 {
			reply(w, 200, out, "", 0)
			return
		}
		select {
		case <-wake:
		case <-deadline.C:
			reply(w, 200, []tgbotapi.Update{}, "", 0)
			return
		case <-r.Context().Done():
			return
		}
	}
}

func (f *fakeAPI) record(w http.ResponseWriter, r *http.Request, method string) {
	chat, _ := strconv.ParseInt(r.FormValue("chat_id"), 10, 64)
	f.mu.Lock()
	defer f.mu.Unlock()
	if to := f.migrated[chat]; to != 0 {
		replyParams(w, 400, "Bad Request: group chat was upgraded to a supergroup chat", map[string]any{"migrate_to_chat_id": to})
		return
	}
	if f.blocked[chat] {
		f.refused[chat]++
		reply(w, 403, nil, "Forbidden: bot was blocked by the user", 0)
		return
	}
	if utf16Len(r.FormValue("text")) > 4096 || utf16Len(r.FormValue("caption")) > 1024 {
		reply(w, 400, nil, "Bad Request: message is too long", 0)
		return
	}
	s := sent{Method: method, ChatID: chat, Text: r.FormValue("text"), Markup: r.FormValue("reply_markup"), At: time.Now()}
	if method == "editMessageText" {
		s.MessageID, _ = strconv.Atoi(r.FormValue("message_id"))
		if f.shown[s.MessageID] == s.Text+s.Markup {
			reply(w, 400, nil, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message", 0)
			return
		}
	} else {
		s.MessageID = f.nextMsg
		f.nextMsg++
	}
	if method == "sendPhoto" && r.MultipartForm != nil {
		s.Text = r.FormValue("caption")
		if fh := r.MultipartForm.File["photo"]; len(fh) > 0 {
			if rc, err := fh[0].Open(); err == nil {
				s.Photo, _ = io.ReadAll(rc)
				rc.Close()
			}
		}
	}
	f.sent = append(f.sent, s)
	f.shown[s.MessageID] = s.Text + s.Markup
	reply(w, 200, tgbotapi.Message{MessageID: s.MessageID, Date: int(s.At.Unix()),
		Chat: &tgbotapi.Chat{ID: chat, Type: "private"}, Text: s.Text}, "", 0)
}

// utf16Len counts text as Telegram's limits do.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

func (f *fakeAPI) getFile(w http.ResponseWriter, id string) {
	f.mu.Lock()
	data, ok := f.files[id]
	f.mu.Unlock()
	if !ok {
		reply(w, 400, nil, "Bad Request: invalid file_id", 0)
		return
	}
	reply(w, 200, tgbotapi.File{FileID: id, FileUniqueID: "u" + id, FileSize: len(data), FilePath: "photos/" + id}, "", 0)
}

func (f *fakeAPI) download(w http.ResponseWriter, path string) {
	f.mu.Lock()
	data, ok := f.files[strings.TrimPrefix(path, "photos/")]
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, nil)
		return
	}
	_, _ = w.Write(data)
}

// addFile makes bytes downloadable under a file id.
func (f *fakeAPI) addFile(id string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[id] = data
}

// push queues an update (assigning its id) and wakes a held getUpdates.
func (f *fakeAPI) push(u tgbotapi.Update) tgbotapi.Update {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u.UpdateID == 0 {
		u.UpdateID = f.nextUpd
		f.nextUpd++
	}
	f.updates = append(f.updates, u)
	close(f.wake)
	f.wake = make(chan struct{})
	return u
}

// newMessageID reserves a message id for a message "the user" sends.
func (f *fakeAPI) newMessageID() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextMsg++
	return f.nextMsg - 1
}

// floodNext makes the next n calls of method answer 429 retry_after 1.
func (f *fakeAPI) floodNext(method string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flood[method] = n
}

// block makes sends to chat answer 403, as after the user blocked the bot.
func (f *fakeAPI) block(chat int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blocked[chat] = true
}

// migrate makes sends to group answer 400 with migrate_to_chat_id to.
func (f *fakeAPI) migrate(group, to int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.migrated[group] = to
}

// unblock lets sends to chat through again.
func (f *fakeAPI) unblock(chat int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.blocked, chat)
}

func (f *fakeAPI) refusals(chat int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refused[chat]
}

func (f *fakeAPI) lastFlood() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.floodAt
}

// sentTo returns what was sent to chat, in order.
func (f *fakeAPI) sentTo(chat int64) []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []sent
	for _, s := range f.sent {
		if s.ChatID == chat {
			out = append(out, s)
		}
	}
	return out
}

func (f *fakeAPI) callCount(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

func (f *fakeAPI) commandMenu(lang string) []tgbotapi.BotCommand {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.commands[lang]
}

func (f *fakeAPI) webhookSet() url {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.webhook
}

func (s sent) String() string { return fmt.Sprintf("%s #%d: %q", s.Method, s.MessageID, s.Text) }
