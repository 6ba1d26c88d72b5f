package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestEndToEndSurvivesKill builds the binary, starts `phananh serve` on a
// free port with a temp data dir, submits a report with a photo carrying
// EXIF (GPS, camera make), kills the process with SIGKILL, restarts it on
// the same data and reads the report and its cleaned photo back.
func TestEndToEndSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "phananh")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := t.TempDir()
	base := "http://" + freeAddr(t)

	p := startServe(t, bin, base, data)
	code, photoURL := submitWithPhoto(t, base)
	p.kill(t)

	p = startServe(t, bin, base, data)
	var view struct {
		Code   string `json:"code"`
		Text   string `json:"text"`
		Status string `json:"status"`
		Photos []struct {
			URL         string `json:"url"`
			ContentType string `json:"content_type"`
		} `json:"photos"`
	}
	getJSON(t, base+"/api/v1/reports/"+code, &view)
	if view.Code != code || !strings.Contains(view.Text, "Trần Hưng Đạo") || view.Status == "" {
		t.Fatalf("report after restart: %+v", view)
	}
	if len(view.Photos) != 1 || view.Photos[0].URL != photoURL || view.Photos[0].ContentType != "image/jpeg" {
		t.Fatalf("photos after restart: %+v", view.Photos)
	}
	checkCleanPhoto(t, photoURL)
	p.stop(t)
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// process is a running `phananh serve` and its captured log.
type process struct {
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServe(t *testing.T, bin, base, data string) *process {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	// Only our settings: a developer's PHANANH_* (a bot token, a MongoDB
	// URI) must not leak into the test.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PHANANH_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PHANANH_ADDR="+strings.TrimPrefix(base, "http://"),
		"PHANANH_DATA="+data, "PHANANH_BASE_URL="+base)
	p := &process{cmd: cmd, log: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			t.Fatalf("serve exited early: %v\n%s", err, p.log)
		default:
		}
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("serve not ready within a minute:\n%s", p.log)
	return nil
}

// kill ends the process with SIGKILL: no shutdown hook runs.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.done <- <-p.done // keep the result for Cleanup
}

// stop sends SIGTERM and expects a clean exit with the store closed.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, p.log)
		}
		if !strings.Contains(p.log.String(), "store closed") {
			t.Errorf("store not closed on SIGTERM:\n%s", p.log)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit 30 s after SIGTERM:\n%s", p.log)
	}
}

func submitWithPhoto(t *testing.T, base string) (code, photoURL string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields := map[string]string{
		"text":           "Rác thải đổ trộm thành đống trước số 12 Trần Hưng Đạo, phường 1, ba ngày chưa ai dọn.",
		"reporter_name":  "Lê Thị Hoa",
		"reporter_phone": "0905111222",
		"lat":            "13.0955",
		"lng":            "109.3050",
	}
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("photos", "IMG_0001.jpg")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(exifJPEG(t))
	mw.Close()
	resp, err := http.Post(base+"/api/v1/reports", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("submit: %s: %s", resp.Status, raw)
	}
	var out struct {
		Code          string `json:"code"`
		ReporterToken string `json:"reporter_token"`
		Photos        []struct {
			URL string `json:"url"`
		} `json:"photos"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if out.Code == "" || out.ReporterToken == "" || len(out.Photos) != 1 {
		t.Fatalf("submit answer: %s", raw)
	}
	return out.Code, out.Photos[0].URL
}

// fetch GETs url and returns the response with its whole body.
func fetch(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, raw
}

func getJSON(t *testing.T, url string, into any) {
	t.Helper()
	resp, raw := fetch(t, url)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, raw)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// checkCleanPhoto fetches the photo and checks it is the same picture
// without the camera's metadata.
func checkCleanPhoto(t *testing.T, url string) {
	t.Helper()
	resp, raw := fetch(t, url)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("photo: %s %v", resp.Status, resp.Header)
	}
	for _, secret := range []string{"PhananhE2ECam", "2024:05:01"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("served photo still contains %q", secret)
		}
	}
	if bytes.Contains(raw, gpsLatitude) {
		t.Error("served photo still contains the GPS latitude")
	}
	img, err := jpeg.Decode(bytes.NewReader(raw))
	if err != nil || img.Bounds().Dx() != 64 || img.Bounds().Dy() != 48 {
		t.Fatalf("served photo is not the picture: %v", err)
	}
}

// gpsLatitude is 13°5'42" as three EXIF rationals.
var gpsLatitude = []byte{0, 0, 0, 13, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 42, 0, 0, 0, 1}

// exifJPEG returns a real 64×48 JPEG with an APP1 EXIF segment carrying a
// camera make, a date and a GPS latitude, as a phone writes it.
func exifJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	be := binary.BigEndian
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8}
	entry := func(tag, typ uint16, count, value uint32) {
		tiff = be.AppendUint16(tiff, tag)
		tiff = be.AppendUint16(tiff, typ)
		tiff = be.AppendUint32(tiff, count)
		tiff = be.AppendUint32(tiff, value)
	}
	// IFD0 at 8 with 3 entries: 2+36+4 = 42 bytes, data from 50.
	const makeAt, dateAt, gpsAt = 50, 64, 84
	tiff = be.AppendUint16(tiff, 3)
	entry(0x010F, 2, 14, makeAt) // Make
	entry(0x0132, 2, 20, dateAt) // DateTime
	entry(0x8825, 4, 1, gpsAt)   // GPS IFD
	tiff = be.AppendUint32(tiff, 0)
	tiff = append(tiff, "PhananhE2ECam\x00"...)
	tiff = append(tiff, "2024:05:01 07:12:33\x00"...)
	tiff = be.AppendUint16(tiff, 2) // GPS IFD at 84: 2+24+4 = 30 bytes, data from 114
	entry(0x0001, 2, 2, uint32('N')<<24)
	entry(0x0002, 5, 3, 114)
	tiff = be.AppendUint32(tiff, 0)
	tiff = append(tiff, gpsLatitude...)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	app1 := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	out := append([]byte{0xFF, 0xD8}, app1...)
	out = append(out, enc.Bytes()[2:]...)
	if !bytes.Contains(out, []byte("PhananhE2ECam")) {
		t.Fatal("fixture lacks its EXIF")
	}
	return out
}
