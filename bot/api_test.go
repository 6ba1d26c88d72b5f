package bot

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/feedback"
)

func TestConnectErrorsDoNotCarryTheToken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = Connect(context.Background(), fakeToken, "http://"+addr+"/bot%s/%s", "", nil)
	if err == nil {
		t.Fatal("connected to nothing")
	}
	if strings.Contains(err.Error(), fakeToken) || strings.Contains(err.Error(), "TEST-token") {
		t.Errorf("error shows the token: %v", err)
	}
}

func TestTelegramErrorsClassified(t *testing.T) {
	flood := &tgbotapi.Error{Code: 429, Message: "Too Many Requests: retry after 7", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 7}}
	if d, ok := retryAfter(flood); !ok || d != 7*time.Second {
		t.Errorf("retryAfter = %v %v", d, ok)
	}
	if d, _ := retryAfter(&tgbotapi.Error{Code: 429, ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 86400}}); d != maxRetryAfter {
		t.Errorf("a day-long wait is not capped: %v", d)
	}
	upload403 := &tgbotapi.Error{Message: "Forbidden: bot was blocked by the user"} // uploads lose the code
	if !blocked(upload403) || !blocked(&tgbotapi.Error{Code: 403}) || blocked(flood) || blocked(errors.New("Forbidden")) {
		t.Error("403 misclassified")
	}
	if !permanentAPIError(&tgbotapi.Error{Code: 400, Message: "Bad Request: chat not found"}) || permanentAPIError(flood) {
		t.Error("400 misclassified")
	}
}

func TestDownloadLimit(t *testing.T) {
	f := newFakeAPI(t)
	f.addFile("big", make([]byte, 2048))
	api, files := f.endpoints()
	tg, err := Connect(context.Background(), fakeToken, api, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	file, err := tg.File(context.Background(), "big")
	if err != nil || file.FilePath == "" {
		t.Fatalf("getFile: %+v %v", file, err)
	}
	if _, err := tg.Download(context.Background(), file.FilePath, 1024); feedback.ErrorCode(err) != feedback.ETOOLARGE {
		t.Errorf("over the limit: %v", err)
	}
	if data, err := tg.Download(context.Background(), file.FilePath, 2048); err != nil || len(data) != 2048 {
		t.Errorf("at the limit: %d bytes, %v", len(data), err)
	}
	if _, err := tg.Download(context.Background(), "photos/none", 2048); err == nil {
		t.Error("a missing file downloaded")
	}
}
