package mailbox

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"phananh/feedback"
)

// htmlToText renders an HTML body as plain text: blocks become lines, list
// items get a dash, links keep their address, and scripts, styles and
// quoted replies (blockquote, Gmail's and Outlook's quote containers) are
// left out.
func htmlToText(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return s
	}
	var b strings.Builder
	renderText(&b, doc)
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// spaces matches runs of HTML white space, which render as one space.
var spaces = regexp.MustCompile(`[ \t\r\n\f]+`)

func renderText(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(spaces.ReplaceAllString(n.Data, " "))
		return
	case html.ElementNode:
		if skipElement(n) {
			return
		}
		switch n.DataAtom {
		case atom.Br:
			b.WriteByte('\n')
			return
		case atom.Li:
			b.WriteString("\n- ")
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		renderText(b, c)
	}
	if n.Type == html.ElementNode {
		if href := attr(n, "href"); n.DataAtom == atom.A && strings.HasPrefix(href, "http") && !strings.Contains(textOf(n), href) {
			fmt.Fprintf(b, " (%s)", href)
		}
		if blockElement(n.DataAtom) {
			b.WriteByte('\n')
		}
	}
}

func skipElement(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Blockquote:
		return true
	}
	class := attr(n, "class")
	return strings.Contains(class, "gmail_quote") || strings.Contains(class, "gmail_signature") ||
		attr(n, "id") == "divRplyFwdMsg" || attr(n, "id") == "appendonsend"
}

func blockElement(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Tr, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Ul, atom.Ol, atom.Table, atom.Pre, atom.Hr, atom.Section, atom.Article:
		return true
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// quoteHeader matches the line a mail client writes above a quoted reply:
// "On Mon, 1 Jan 2026, X wrote:", "Vào ... đã viết:", Outlook's separator.
var quoteHeader = regexp.MustCompile(`(?i)^(on .+ wrote:?|vào .+ đã viết:?|-+ ?(original message|forwarded message|tin nhắn gốc|thư gốc) ?-+|_{10,}|from: .+ sent: .+)$`)

// outlookFrom and outlookSent match the header block Outlook writes above
// a quoted message, in English and Vietnamese.
var (
	outlookFrom = regexp.MustCompile(`(?i)^\*?(from|từ):\*? `)
	outlookSent = regexp.MustCompile(`(?i)^\*?(sent|date|đã gửi|ngày):\*? `)
)

// signatureLine matches a line after which only a signature follows.
var signatureLine = regexp.MustCompile(`(?i)^(-- ?|sent from my .+|gửi từ .+ của tôi\.?|get outlook for .+)$`)

// cleanBody removes what is not the citizen's own words: quoted lines,
// everything below a reply header or a signature delimiter; it trims
// trailing spaces and collapses runs of blank lines.
func cleanBody(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\u00a0", " ")
	var out []string
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		line = strings.TrimRight(line, " \t")
		t := strings.TrimSpace(line)
		if quoteHeader.MatchString(t) || signatureLine.MatchString(line) || signatureLine.MatchString(t) {
			break
		}
		if outlookFrom.MatchString(t) && i+1 < len(lines) && outlookSent.MatchString(strings.TrimSpace(lines[i+1])) {
			break
		}
		if strings.HasPrefix(t, ">") {
			continue
		}
		if t == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// reportText is what intake receives: the subject (without reply prefixes
// or our tracking tag), the body, and the attachments that were not kept,
// within feedback.MaxTextLen.
func reportText(subject, body string, notKept []string) string {
	subject = cleanSubject(subject)
	var tail string
	if len(notKept) > 0 {
		tail = "\n\n[Tệp đính kèm không được lưu / attachments not stored: " + strings.Join(notKept, "; ") + "]"
	}
	text := body
	if subject != "" && !strings.HasPrefix(body, subject) {
		text = subject + "\n\n" + body
	}
	return truncateRunes(strings.TrimSpace(text), feedback.MaxTextLen-utf8.RuneCountInString(tail)) + tail
}

// subjectPrefix matches reply and forward prefixes in several languages.
var subjectPrefix = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|tl|trả lời|chuyển tiếp|aw|sv|vs)\s*:\s*)+`)

// cleanSubject drops reply prefixes and our tracking tag.
func cleanSubject(s string) string {
	s = subjectTag.ReplaceAllString(s, "")
	return strings.TrimSpace(subjectPrefix.ReplaceAllString(strings.TrimSpace(s), ""))
}

func truncateRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// describeAttachment is the line listing an attachment that was not kept.
func describeAttachment(a Attachment, why string) string {
	size := fmt.Sprintf("%d KB", (a.Size+1023)/1024)
	if why != "" {
		return fmt.Sprintf("%s (%s, %s)", a.Name, size, why)
	}
	return fmt.Sprintf("%s (%s)", a.Name, size)
}
