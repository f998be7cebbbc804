// Package mailaddr canonicalises email addresses and their domains the way
// mail and IDNA compare them, so that an address has one key wherever it is
// stored, looked up or checked against an approved domain. A domain's
// canonical form is its ASCII form after UTS #46 processing (A-labels, lower
// case); a local part's is the local part with ASCII letters lower-cased.
// Characters that UTS #46 would map to other characters (U+212A KELVIN SIGN
// to "k", U+017F LATIN SMALL LETTER LONG S to "s", fullwidth letters, dotted
// capitals) are refused rather than mapped: an address that only looks like
// another one must never become equal to it. For the same reason a local part
// or a domain label that mixes scripts the way look-alikes do (a Cyrillic а
// among Latin letters) is refused, by UTS #39's moderately restrictive level
// (script.go).
package mailaddr

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// RFC 5321 §4.5.3.1 limits, in octets.
const (
	MaxLocalPart = 64
	MaxAddress   = 254
)

// Domain is a domain name in its two forms.
type Domain struct {
	ASCII   string // A-labels, lower case: the form compared and stored
	Unicode string // U-labels: the form people read
}

// Address is a canonical email address.
type Address struct {
	Local  string // ASCII letters lower-cased
	Domain Domain
}

// String is the canonical address: local part, "@", ASCII domain.
func (a Address) String() string { return a.Local + "@" + a.Domain.ASCII }

// Error says why a string is not an acceptable address or domain.
type Error struct {
	Input  string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("%q %s", e.Input, e.Reason) }

// ErrInvalid matches every *Error with errors.Is.
var ErrInvalid = errors.New("mailaddr: invalid")

func (e *Error) Is(target error) bool { return target == ErrInvalid }

var (
	// registration checks a domain without mapping anything, as RFC 5891 §4
	// registers names: a character UTS #46 would map is an error.
	registration = idna.Registration
	// mapping is UTS #46 processing for lookup, used only to tell people
	// what a refused character stands for.
	mapping = idna.New(idna.MapForLookup(), idna.Transitional(false))
)

// ParseDomain checks s as an email domain (any ASCII letter case, U-labels or
// A-labels) and returns its canonical forms.
func ParseDomain(s string) (Domain, error) {
	d, reason := parseDomain(s)
	if reason != "" {
		return Domain{}, &Error{Input: s, Reason: reason}
	}
	return d, nil
}

// parseDomain returns the canonical forms of s, or why s is not a domain.
func parseDomain(s string) (Domain, string) {
	switch {
	case s == "":
		return Domain{}, "is empty"
	case !utf8.ValidString(s):
		return Domain{}, "is not valid UTF-8"
	case strings.HasPrefix(s, "[") || strings.Contains(s, ":"):
		return Domain{}, "is an address literal; an IP address is not a domain"
	case strings.HasSuffix(s, "."):
		return Domain{}, "ends with a dot; write the domain without it"
	}
	a, reason := toASCII(s)
	if reason != "" {
		return Domain{}, reason
	}
	labels := strings.Split(a, ".")
	if len(labels) < 2 {
		return Domain{}, "needs at least two labels, such as example.com"
	}
	if numericLabel(labels[len(labels)-1]) {
		return Domain{}, "is an IP address, not a domain"
	}
	d := Domain{ASCII: a, Unicode: a}
	if strings.Contains(a, acePrefix) {
		d.Unicode, _ = registration.ToUnicode(a)
		for l := range strings.SplitSeq(d.Unicode, ".") {
			if reason := mixedScripts(l); reason != "" {
				return Domain{}, fmt.Sprintf("has the label %q, which %s", l, reason)
			}
		}
	}
	return d, ""
}

const acePrefix = "xn--"

// toASCII is the lower-case A-label form of s, or why s has none. Names of
// ASCII letters, digits and hyphens without A-labels (nearly every domain)
// are checked here with the rules the IDNA registration profile applies to
// them; FuzzLDHFastPath checks that both agree.
func toASCII(s string) (string, string) {
	lower := lowerASCII(s)
	if ascii(lower) && !strings.Contains(lower, acePrefix) {
		return lower, ldhProblem(lower)
	}
	if r := lookAlike(lower); r != "" {
		return "", r
	}
	a, err := registration.ToASCII(lower)
	if reason := lengthProblem(a); reason != "" {
		return "", reason
	}
	if err != nil {
		return "", "is not a valid domain name (IDNA: " + strings.TrimPrefix(err.Error(), "idna: ") + ")"
	}
	return a, ""
}

// lengthProblem checks the DNS lengths of an ASCII name.
func lengthProblem(a string) string {
	if n := len(a); n > 253 {
		return fmt.Sprintf("is %d octets long in ASCII form; a domain has at most 253", n)
	}
	for l := range strings.SplitSeq(a, ".") {
		if len(l) > 63 {
			return fmt.Sprintf("has the label %q of %d octets in ASCII form; a label has at most 63", l, len(l))
		}
	}
	return ""
}

// ldhProblem checks a lower-case ASCII name without A-labels: labels of
// letters, digits and hyphens, not empty, no hyphen at either end or in
// the third and fourth places (reserved for IDNA), DNS lengths.
func ldhProblem(a string) string {
	if reason := lengthProblem(a); reason != "" {
		return reason
	}
	for l := range strings.SplitSeq(a, ".") {
		switch {
		case l == "":
			return "is not a valid domain name (an empty label)"
		case l[0] == '-' || l[len(l)-1] == '-':
			return fmt.Sprintf("is not a valid domain name (the label %q starts or ends with '-')", l)
		case len(l) >= 4 && l[2:4] == "--":
			return fmt.Sprintf("is not a valid domain name (the label %q has '--' in the third and fourth places, reserved for IDNA)", l)
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return fmt.Sprintf("is not a valid domain name (the character %q is not allowed)", c)
			}
		}
	}
	return ""
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lookAlike explains the first character of s that UTS #46 maps to
// something else, or returns "".
func lookAlike(s string) string {
	for _, r := range s {
		if r < utf8.RuneSelf {
			continue
		}
		m, err := mapping.ToUnicode(string(r))
		if err == nil && m != string(r) {
			return fmt.Sprintf("has %U, which stands for %q; only the exact form is accepted (write %q)",
				r, m, mapped(s))
		}
	}
	return ""
}

// mapped is s with each non-ASCII character UTS #46 maps replaced by its
// mapping: the form to suggest (one character at a time, as a local part
// is no domain name).
func mapped(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= utf8.RuneSelf {
			if m, err := mapping.ToUnicode(string(r)); err == nil {
				b.WriteString(m)
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// numericLabel reports whether a last label makes the name an IPv4
// address to URL parsers: all decimal digits, or 0x and hex digits.
func numericLabel(l string) bool {
	digits := "0123456789"
	if len(l) >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X') {
		l, digits = l[2:], "0123456789abcdefABCDEF"
		if l == "" {
			return true
		}
	}
	return l != "" && strings.Trim(l, digits) == ""
}

// Parse checks s as an email address: exactly one "@", a dot-atom local
// part (RFC 5322, with UTF-8 as RFC 6531 allows) of at most 64 octets, a
// domain ParseDomain accepts, at most 254 octets in canonical form.
func Parse(s string) (Address, error) {
	local, domain, ok := strings.Cut(s, "@")
	if !ok {
		return Address{}, &Error{Input: s, Reason: "is not an email address (no '@')"}
	}
	if n := strings.Count(s, "@"); n > 1 {
		return Address{}, &Error{Input: s, Reason: fmt.Sprintf("has %d '@' signs; an email address has exactly one", n)}
	}
	if reason := localProblem(local); reason != "" {
		return Address{}, &Error{Input: s, Reason: "has a local part that " + reason}
	}
	d, reason := parseDomain(domain)
	if reason != "" {
		return Address{}, &Error{Input: s, Reason: fmt.Sprintf("has a domain, %q, that %s", domain, reason)}
	}
	a := Address{Local: lowerASCII(local), Domain: d}
	if n := len(a.String()); n > MaxAddress {
		return Address{}, &Error{Input: s, Reason: fmt.Sprintf("is %d octets long; an email address has at most %d", n, MaxAddress)}
	}
	return a, nil
}

func localProblem(l string) string {
	switch {
	case l == "":
		return "is empty"
	case len(l) > MaxLocalPart:
		return fmt.Sprintf("is %d octets long (at most %d)", len(l), MaxLocalPart)
	case !utf8.ValidString(l):
		return "is not valid UTF-8"
	case strings.HasPrefix(l, ".") || strings.HasSuffix(l, ".") || strings.Contains(l, ".."):
		return "has a dot at either end or two in a row"
	}
	// Before the NFC check: NFC also maps U+212A to "K", and the look-alike
	// is the better explanation.
	if r := lookAlike(l); r != "" {
		return r
	}
	if !ascii(l) && !norm.NFC.IsNormalString(l) {
		return "is not in Unicode normalization form C"
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; c < utf8.RuneSelf && !atext(c) && c != '.' {
			return fmt.Sprintf("has the character %q, which needs quoting; quoted local parts are not accepted", c)
		}
	}
	if reason := nonASCIIProblem(l); reason != "" {
		return reason
	}
	return mixedScripts(l)
}

// nonASCIIProblem checks each run of non-ASCII characters of a local part
// with the rules for domain labels: no character that is disallowed, and
// none that begins a run while combining with the ASCII before it.
func nonASCIIProblem(l string) string {
	for i := 0; i < len(l); {
		if l[i] < utf8.RuneSelf {
			i++
			continue
		}
		j := i
		for j < len(l) && l[j] >= utf8.RuneSelf {
			j++
		}
		if _, err := registration.ToUnicode(l[i:j]); err != nil {
			return fmt.Sprintf("has %q, which is not allowed (IDNA: %s)", l[i:j], strings.TrimPrefix(err.Error(), "idna: "))
		}
		i = j
	}
	return ""
}

// atext reports whether c may appear unquoted in a local part (RFC 5322 §3.2.3).
func atext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// Key is the lookup key of s: its canonical address when s is one, else s
// with ASCII letters lower-cased (which equals no canonical address of a
// different string, so a look-alike never finds the real user).
func Key(s string) string { return ParseKey(s).Key }

// Parsed is what Parse and Key make of one string.
type Parsed struct {
	Address Address // zero when Err is set
	Key     string
	Err     error // Parse's error
}

// ParseKey is Parse and Key of s from one parse, for a caller that checks an
// address and looks it up: parsing is most of the cost of either.
func ParseKey(s string) Parsed {
	a, err := Parse(s)
	if err != nil {
		return Parsed{Key: lowerASCII(s), Err: err}
	}
	return Parsed{Address: a, Key: a.String()}
}

// lowerASCII lower-cases ASCII letters only: strings.ToLower would turn
// U+212A KELVIN SIGN into "k".
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
