package mailaddr

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseDomain(t *testing.T) {
	good := []struct{ in, ascii, unicode string }{
		{"example.com", "example.com", "example.com"},
		{"ACME.Example.COM", "acme.example.com", "acme.example.com"},
		{"bücher.example", "xn--bcher-kva.example", "bücher.example"},
		{"XN--BCHER-KVA.Example", "xn--bcher-kva.example", "bücher.example"},
		{"faß.de", "xn--fa-hia.de", "faß.de"}, // IDNA2008: ß is kept, not mapped to "ss"
		{"i\u0307stanbul.example", "xn--istanbul-o0e.example", "i\u0307stanbul.example"},
		{"a-b.c0.io", "a-b.c0.io", "a-b.c0.io"},
		{strings.Repeat("a", 63) + ".com", strings.Repeat("a", 63) + ".com", strings.Repeat("a", 63) + ".com"},
		{"example.123x", "example.123x", "example.123x"},
	}
	for _, c := range good {
		d, err := ParseDomain(c.in)
		if err != nil {
			t.Errorf("ParseDomain(%q): %v", c.in, err)
			continue
		}
		if d.ASCII != c.ascii || d.Unicode != c.unicode {
			t.Errorf("ParseDomain(%q) = %+v, want ASCII %q, Unicode %q", c.in, d, c.ascii, c.unicode)
		}
	}
	bad := map[string]string{
		"":                                      "empty",
		"\u212Aiss.example.com":                 `U+212A, which stands for "k"`,
		"ki\u017Fs.example.com":                 `U+017F, which stands for "s"`,
		"\u0130stanbul.example":                 "U+0130",
		"ｅxample.com":                           `U+FF45, which stands for "e"`,
		"example\u3002com":                      "U+3002",
		"BÜCHER.example":                        `write "bücher.example"`,
		"localhost":                             "two labels",
		"example.com.":                          "ends with a dot",
		".example.com":                          "not a valid domain",
		"exa mple.com":                          "not a valid domain",
		"a_b.example":                           "not a valid domain",
		"-acme.com":                             "not a valid domain",
		"ab--cd.com":                            "not a valid domain",
		"xn--kiss.example":                      "not a valid domain", // an A-label must decode to non-ASCII
		"user@acme.com":                         "not a valid domain",
		"1.2.3.4":                               "IP address",
		"127.1":                                 "IP address",
		"0x7f.0x0.0x0.0x1":                      "IP address",
		"[192.0.2.1]":                           "address literal",
		"2001:db8::1":                           "address literal",
		"\xff.example":                          "UTF-8",
		strings.Repeat("a", 64) + ".com":        "a label has at most 63",
		strings.Repeat("abcdefgh.", 30) + "com": "a domain has at most 253",
	}
	for in, want := range bad {
		d, err := ParseDomain(in)
		if err == nil {
			t.Errorf("ParseDomain(%q) = %+v, want an error", in, d)
			continue
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseDomain(%q): %v, want an ErrInvalid saying %q", in, err, want)
		}
	}
}

func TestParse(t *testing.T) {
	good := map[string]string{
		"Kiss@Kiss.Example.COM":             "kiss@kiss.example.com",
		"first.last+tag@example.com":        "first.last+tag@example.com",
		"anna@bücher.example":               "anna@xn--bcher-kva.example",
		"josé@example.com":                  "josé@example.com",
		"o'brien@example.com":               "o'brien@example.com",
		strings.Repeat("a", 64) + "@ex.com": strings.Repeat("a", 64) + "@ex.com",
	}
	for in, want := range good {
		a, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if a.String() != want {
			t.Errorf("Parse(%q) = %q, want %q", in, a, want)
		}
	}
	long := strings.Repeat("a", 60) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + ".com"
	bad := map[string]string{
		"":                                  "no '@'",
		"kiss.example.com":                  "no '@'",
		"a@b@example.com":                   "2 '@' signs",
		"@example.com":                      "local part that is empty",
		"kiss@":                             `domain, "", that is empty`,
		strings.Repeat("a", 65) + "@ex.com": "65 octets long (at most 64)",
		strings.Repeat("é", 33) + "@ex.com": "66 octets long",
		long:                                "octets long; an email address has at most 254",
		"kiss@\u212Aiss.example.com":        "domain, \"\u212Aiss.example.com\", that has U+212A",
		"\u212Aiss+tag@kiss.example.com":    `local part that has U+212A, which stands for "k"; only the exact form is accepted (write "kiss+tag")`,
		"ki\u017Fs@kiss.example.com":        "U+017F",
		"\u0130nci@example.com":             "U+0130",
		"kiss@kiss.example.com.":            "ends with a dot",
		"kiss@[192.0.2.1]":                  "address literal",
		"kiss@192.0.2.1":                    "IP address",
		`"a b"@example.com`:                 "needs quoting",
		"a b@example.com":                   "needs quoting",
		".kiss@example.com":                 "dot",
		"ki..ss@example.com":                "dot",
		"jose\u0301@example.com":            "normalization form C",
		"ki\u200Dss@example.com":            "not allowed",
	}
	for in, want := range bad {
		a, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want an error", in, a)
			continue
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q): %v, want an ErrInvalid saying %q", in, err, want)
		}
	}
}

func TestKeyKeepsLookAlikesApart(t *testing.T) {
	genuine := Key("Kiss@kiss.example.com")
	if genuine != "kiss@kiss.example.com" {
		t.Fatalf("Key = %q", genuine)
	}
	for _, s := range []string{
		"\u212Aiss@kiss.example.com", "kiss@\u212Aiss.example.com", "ki\u017Fs@kiss.example.com",
		"kiss@kiss.example.com.", "kiss@kiss.example.com@kiss.example.com",
	} {
		if k := Key(s); k == genuine {
			t.Errorf("Key(%q) = %q, the real user's key", s, k)
		}
	}
	if k := Key("anna@BÜCHER.example"); k != "anna@bÜcher.example" {
		t.Errorf("Key of an unparsable address = %q, want it with ASCII letters only lower-cased", k)
	}
}

// FuzzParse checks the invariants: a canonical address parses to itself, is
// ASCII in its domain, within the RFC 5321 lengths, and has one '@'; Key and
// ParseKey agree with Parse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"Kiss@Kiss.Example.COM", "anna@bücher.example", "\u212Aiss@kiss.example.com", "a@b@c.com",
		"kiss@xn--bcher-kva.example", "x@1.2.3.4", "josé@faß.de", "kiss@kiss.example.com.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if p := ParseKey(s); p.Address != a || fmt.Sprint(p.Err) != fmt.Sprint(err) {
			t.Fatalf("ParseKey(%q) = %+v, Parse = %+v, %v", s, p, a, err)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q): error %v is not ErrInvalid", s, err)
			}
			return
		}
		c := a.String()
		if strings.Count(c, "@") != 1 || len(a.Local) > MaxLocalPart || len(c) > MaxAddress {
			t.Fatalf("Parse(%q) = %q breaks the RFC 5321 shape", s, c)
		}
		for i := 0; i < len(a.Domain.ASCII); i++ {
			if ch := a.Domain.ASCII[i]; ch >= utf8.RuneSelf || ch >= 'A' && ch <= 'Z' {
				t.Fatalf("Parse(%q): domain %q is not lower-case ASCII", s, a.Domain.ASCII)
			}
		}
		again, err := Parse(c)
		if err != nil || again != a {
			t.Fatalf("Parse(%q) = %+v, but its canonical form %q parses to %+v, %v", s, a, c, again, err)
		}
		if u, err := Parse(a.Local + "@" + a.Domain.Unicode); err != nil || u.String() != c {
			t.Fatalf("Parse(%q): Unicode form %q gives %+v, %v", s, a.Domain.Unicode, u, err)
		}
		if Key(s) != c {
			t.Fatalf("Key(%q) = %q, want %q", s, Key(s), c)
		}
	})
}

// BenchmarkKey is the canonicalisation every `userName eq` lookup and every
// write pays.
func BenchmarkKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if Key("First.Last@Acme.Example.com") != "first.last@acme.example.com" {
			b.Fatal("wrong key")
		}
	}
}

// BenchmarkKeyInternational is the key of an address with a non-ASCII local
// part and U-labels: IDNA and the mixed-script check both run.
func BenchmarkKeyInternational(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if Key("анна.иванова@пример.example") != "анна.иванова@xn--e1afmkfd.example" {
			b.Fatal("wrong key")
		}
	}
}

// FuzzLDHFastPath checks that the fast path for plain ASCII names accepts
// exactly what the IDNA registration profile accepts, with the same result.
func FuzzLDHFastPath(f *testing.F) {
	for _, s := range []string{"example.com", "a-b.c0.io", "ab--cd.com", "-a.com", "a..b", "a_b.com", "xn--bcher-kva.example", strings.Repeat("a", 64) + ".com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lower := lowerASCII(s)
		if !ascii(lower) || strings.Contains(lower, acePrefix) || strings.HasSuffix(lower, ".") || lower == "" {
			return
		}
		fast := ldhProblem(lower) == ""
		a, err := registration.ToASCII(lower)
		slow := err == nil && lengthProblem(a) == ""
		if fast != slow || fast && a != lower {
			t.Fatalf("%q: fast path accepts %v, IDNA accepts %v (%q, %v)", s, fast, slow, a, err)
		}
	})
}
