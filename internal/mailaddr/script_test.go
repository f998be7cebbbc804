package mailaddr

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestMixedScriptAddresses(t *testing.T) {
	good := []string{
		"ann.lee@acme.example.com",
		"анна@пример.рф",                 // Cyrillic, one script in each part
		"άννα@παράδειγμα.example",        // Greek
		"ann@пример.com",                 // each label alone: Cyrillic, then Latin
		"tanaka漢字かなカナ@例え.jp",             // Latin with Han, Hiragana, Katakana
		"kim한국漢@acme.example.com",        // Latin with Hangul and Han
		"lin注音ㄅㄆ@acme.example.com",       // Latin with Han and Bopomofo
		"ラーメン@acme.example.com",          // U+30FC goes with Katakana
		"josé.müller@bücher.example",     // Latin only
		"user1-2_3@acme.example.com",     // Common characters with Latin
		"mohammed.محمد@acme.example.com", // Latin with one other script
		"שלום123@acme.example.com",       // digits are Common
	}
	for _, s := range good {
		if _, err := Parse(s); err != nil {
			t.Errorf("Parse(%q): %v", s, err)
		}
	}
	bad := map[string]string{
		"\u0430nn.lee@acme.example.com": `U+0430 "а" is Cyrillic`, // Cyrillic а
		"ann.lee@\u0430cme.example.com": `U+0430 "а" is Cyrillic`,
		"ann.l\u03b5e@acme.example.com": `U+03B5 "ε" is Greek`,
		"paypa\u04cf@acme.example.com":  "Cyrillic",
		"ann@xn--cme-5cd.example.com":   "Cyrillic", // the A-label of "аcme"
		"анна\u03b1@acme.example.com":   "Cyrillic and Greek",
		"ann\u13a0@acme.example.com":    "Cherokee",
		"한국ア@acme.example.com":          "Hangul and Katakana", // Korean and Japanese share no writing system
		"ann.محمدש@acme.example.com":    "Arabic and Hebrew",
	}
	for in, want := range bad {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "mixes the scripts") {
			t.Errorf("Parse(%q) = %v, want an error with %q", in, err, want)
		}
	}
	// The look-alike next to the real address: both parse or not on their
	// own, and never to one key.
	if Key("\u0430nn.lee@acme.example.com") == Key("ann.lee@acme.example.com") {
		t.Fatal("a look-alike has the real address's key")
	}
	if _, err := ParseDomain("xn--80akhbyknj4f.xn--p1ai"); err != nil { // испытание.рф
		t.Fatal(err)
	}
	if _, err := ParseDomain("p\u0430ypal.com"); err == nil || !strings.Contains(err.Error(), "U+0430") {
		t.Fatalf("ParseDomain(pаypal.com) = %v", err)
	}
}

// TestMixedScriptsProperty checks mixedScripts against the rule stated
// directly over the scripts of random strings drawn from a few scripts.
func TestMixedScriptsProperty(t *testing.T) {
	pools := map[string][]rune{
		"Latin":    []rune("abcxyzéü"),
		"Cyrillic": []rune("авсхуз"),
		"Greek":    []rune("αβγεο"),
		"Han":      []rune("漢字中"),
		"Hiragana": []rune("かなひ"),
		"Katakana": []rune("カナヒ"),
		"Hangul":   []rune("한국"),
		"Bopomofo": []rune("ㄅㄆ"),
		"Arabic":   []rune("محد"),
		"Common":   []rune("0129-_."),
	}
	var names []string
	for n := range pools {
		names = append(names, n)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		used := map[string]bool{}
		for range 1 + r.IntN(8) {
			n := names[r.IntN(len(names))]
			p := pools[n]
			b.WriteRune(p[r.IntN(len(p))])
			if n != "Common" {
				used[n] = true
			}
		}
		s := b.String()
		if got, want := mixedScripts(s) == "", allowed(used); got != want {
			t.Fatalf("%q (scripts %v): accepted %v, want %v (%s)", s, used, got, want, mixedScripts(s))
		}
		if reason := mixedScripts(s); reason != "" && !strings.ContainsFunc(s, func(c rune) bool {
			return strings.Contains(reason, fmt.Sprintf("%U %q", c, string(c)))
		}) {
			t.Fatalf("%q: the reason names no code point of the string: %s", s, reason)
		}
	}
}

// allowed is the moderately restrictive rule over a set of scripts.
func allowed(used map[string]bool) bool {
	subset := func(of ...string) bool {
		for s := range used {
			if !strings.Contains(strings.Join(of, ","), s) {
				return false
			}
		}
		return true
	}
	switch {
	case len(used) <= 1:
		return true
	case subset("Latin", "Han", "Hiragana", "Katakana"),
		subset("Latin", "Han", "Hangul"),
		subset("Latin", "Han", "Bopomofo"):
		return true
	case len(used) == 2 && used["Latin"]:
		return !used["Cyrillic"] && !used["Greek"] && !used["Cherokee"]
	}
	return false
}
