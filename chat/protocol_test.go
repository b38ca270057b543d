package chat

import (
	"strings"
	"testing"
)

func TestDecodeClientFrame(t *testing.T) {
	for _, test := range []struct {
		in   string
		code string // "" when valid
	}{
		{`{"type":"hello","v":1}`, ""},
		{`{"type":"hello","v":1,"locale":"en","conversation":"c_x","token":"r_y","last_seq":4}`, ""},
		{`{"type":"hello","v":2}`, ""},
		{`{"type":"hello","v":3}`, CodeVersion},
		{`{"type":"hello","v":0}`, CodeVersion},
		{`{"type":"hello","v":1,"last_seq":-1}`, CodeInvalid},
		{`{"type":"message","client_id":"m_12345678","text":"bonjour"}`, ""},
		{`{"type":"message","client_id":"m_1","text":"bonjour"}`, CodeInvalid},
		{`{"type":"message","client_id":"m_12345678<>","text":"x"}`, CodeInvalid},
		{`{"type":"message","client_id":"m_12345678","text":"   "}`, CodeInvalid},
		{`{"type":"message","client_id":"m_12345678","text":"` + strings.Repeat("é", MaxTextLength+1) + `"}`, CodeTooLong},
		{`{"type":"message","client_id":"m_12345678","text":42}`, CodeBadFrame},
		{`{"type":"action","client_id":"a_12345678","action":"helpful:yes","seq":3}`, ""},
		{`{"type":"action","client_id":"a_12345678","action":"article:livraison-delais"}`, ""},
		{`{"type":"action","client_id":"a_12345678","action":"delete-everything"}`, CodeInvalid},
		{`{"type":"typing","on":true}`, ""},
		{`{"type":"teleport"}`, CodeUnknownType},
		{`{"text":"no type"}`, CodeBadFrame},
		{`[1,2]`, CodeBadFrame},
		{`not json`, CodeBadFrame},
		{``, CodeBadFrame},
		{`{"type":"typing"}{"type":"typing"}`, CodeBadFrame},
		{`{"type":"typing"`, CodeBadFrame},
	} {
		_, ferr := DecodeClientFrame([]byte(test.in))
		got := ""
		if ferr != nil {
			got = ferr.Code
		}
		if got != test.code {
			name := test.in
			if len(name) > 60 {
				name = name[:60]
			}
			t.Errorf("%s: code %q, want %q", name, got, test.code)
		}
	}
}

func FuzzDecodeClientFrame(f *testing.F) {
	f.Add([]byte(`{"type":"hello","v":1,"locale":"fr","conversation":"c_a","token":"r_b","last_seq":3}`))
	f.Add([]byte(`{"type":"message","client_id":"m_0123456789","text":"où est mon colis ?"}`))
	f.Add([]byte(`{"type":"action","client_id":"a_0123456789","action":"article:x","seq":2}`))
	f.Add([]byte(`{"type":"typing","on":false}`))
	f.Add([]byte(`{"type":"message","text":"\u0000\ud800"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		frame, ferr := DecodeClientFrame(data)
		if ferr != nil {
			if ferr.Code == "" {
				t.Fatal("error without a code")
			}
			return
		}
		switch frame.Type {
		case "hello":
			if frame.V < minProtocolVersion || frame.V > ProtocolVersion || (frame.Locale != "fr" && frame.Locale != "en") || frame.LastSeq < 0 {
				t.Fatalf("accepted hello %+v", frame)
			}
		case "message":
			if !validClientID(frame.ClientID) || frame.Text == "" || len([]rune(frame.Text)) > MaxTextLength {
				t.Fatalf("accepted message %+v", frame)
			}
		case "action":
			if !validClientID(frame.ClientID) || !validAction(frame.Action) {
				t.Fatalf("accepted action %+v", frame)
			}
		case "typing":
		default:
			t.Fatalf("accepted type %q", frame.Type)
		}
	})
}
