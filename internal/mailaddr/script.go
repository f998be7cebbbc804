package mailaddr

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Mixed scripts. A local part and each domain label must pass UTS #39's
// "Moderately Restrictive" level (§5.2): the string is single-script, or
// Latin with Han, Hiragana and Katakana (Jpan), Han and Hangul (Kore) or Han
// and Bopomofo (Hanb), or Latin with one other script that is not Cyrillic,
// Greek or Cherokee, the scripts whose letters pass for Latin ones. Common
// and Inherited characters (digits, punctuation, combining marks) go with
// any script. So "аnn.lee" with a Cyrillic а is refused, "анна" and
// "άννα" are accepted, as is "tanaka漢字かな".
//
// Choices where the standard leaves room or this package lacks its data:
//   - Scripts come from the Script property (Go's unicode.Scripts). UTS #39
//     uses Script_Extensions, which the standard library does not carry; a
//     character whose Script is Common or Inherited counts as any script,
//     which is what Script_Extensions says for most of them. The exceptions
//     that IDNA lets into a name are the kana marks U+3099, U+309A, U+30FC
//     (Hiragana and Katakana only), which are given that set here.
//   - The identifier profile (Recommended and Aspirational scripts) is not
//     checked: IDNA has already narrowed the repertoire, and a name in a
//     Limited Use script is not a look-alike of a Latin one by being so.
//   - The unit is the local part as a whole and each domain label alone:
//     пример.com is two single-script labels and is accepted.

// scriptSet is a set of script indexes, one bit each: the scripts of
// unicode.Scripts in name order, then the three augmented sets of UTS #39
// §5.1 (Jpan, Kore, Hanb).
type scriptSet [4]uint64

func (s *scriptSet) add(i int)     { s[i/64] |= 1 << (i % 64) }
func (s scriptSet) has(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }
func (s scriptSet) empty() bool    { return s == scriptSet{} }
func (s scriptSet) and(o scriptSet) scriptSet {
	for i := range s {
		s[i] &= o[i]
	}
	return s
}

// all is the set of a Common or Inherited character.
var all = scriptSet{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}

type scriptRange struct {
	lo, hi rune
	set    scriptSet
}

type scriptTables struct {
	names             []string // by index
	ranges            []scriptRange
	latin, jpan, kore int
	hanb              int
	cyrillic, greek   int
	cherokee          int
	kanaMarks         scriptSet // Hiragana, Katakana, Jpan
}

var tables = sync.OnceValue(func() *scriptTables {
	t := &scriptTables{}
	for name := range unicode.Scripts {
		if name != "Common" && name != "Inherited" {
			t.names = append(t.names, name)
		}
	}
	slices.Sort(t.names)
	index := func(name string) int { i, _ := slices.BinarySearch(t.names, name); return i }
	t.jpan, t.kore, t.hanb = len(t.names), len(t.names)+1, len(t.names)+2
	t.names = append(t.names, "Japanese (Han with Hiragana and Katakana)", "Korean (Han with Hangul)", "Han with Bopomofo")
	if len(t.names) > 64*len(scriptSet{}) {
		panic("mailaddr: more scripts than scriptSet holds")
	}
	t.latin, t.cyrillic, t.greek, t.cherokee = index("Latin"), index("Cyrillic"), index("Greek"), index("Cherokee")
	augmented := map[string][]int{ // UTS #39 §5.1
		"Han":      {t.jpan, t.kore, t.hanb},
		"Hiragana": {t.jpan},
		"Katakana": {t.jpan},
		"Hangul":   {t.kore},
		"Bopomofo": {t.hanb},
	}
	for i, name := range t.names[:t.jpan] {
		var set scriptSet
		set.add(i)
		for _, j := range augmented[name] {
			set.add(j)
		}
		add := func(lo, hi, stride rune) {
			if stride == 1 {
				t.ranges = append(t.ranges, scriptRange{lo, hi, set})
				return
			}
			for r := lo; r <= hi; r += stride {
				t.ranges = append(t.ranges, scriptRange{r, r, set})
			}
		}
		tab := unicode.Scripts[name]
		for _, r := range tab.R16 {
			add(rune(r.Lo), rune(r.Hi), rune(r.Stride))
		}
		for _, r := range tab.R32 {
			add(rune(r.Lo), rune(r.Hi), rune(r.Stride))
		}
	}
	sort.Slice(t.ranges, func(i, j int) bool { return t.ranges[i].lo < t.ranges[j].lo })
	t.kanaMarks.add(index("Hiragana"))
	t.kanaMarks.add(index("Katakana"))
	t.kanaMarks.add(t.jpan)
	return t
})

// scriptsOf is r's augmented script set (all for Common and Inherited).
func (t *scriptTables) scriptsOf(r rune) scriptSet {
	switch r {
	case 0x3099, 0x309A, 0x30FC: // Script_Extensions {Hira, Kana}
		return t.kanaMarks
	}
	i := sort.Search(len(t.ranges), func(i int) bool { return t.ranges[i].hi >= r })
	if i < len(t.ranges) && t.ranges[i].lo <= r {
		return t.ranges[i].set
	}
	return all
}

// name is the script of a set as people call it: the first real script in it.
func (t *scriptTables) name(s scriptSet) string {
	for i := range t.names {
		if s.has(i) {
			return t.names[i]
		}
	}
	return "Common"
}

// mixedScripts says why s is not Moderately Restrictive, naming a code
// point and the scripts, or returns "". ASCII is single-script Latin.
func mixedScripts(s string) string {
	if ascii(s) {
		return ""
	}
	t := tables()
	// One entry per distinct script set, in order of first appearance.
	type seen struct {
		set   scriptSet
		first rune
	}
	var sets []seen
	for _, r := range s {
		if r < utf8.RuneSelf {
			if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
				if !slices.ContainsFunc(sets, func(x seen) bool { return x.set == t.latinSet() }) {
					sets = append(sets, seen{t.latinSet(), r})
				}
			}
			continue
		}
		set := t.scriptsOf(r)
		if set == all || slices.ContainsFunc(sets, func(x seen) bool { return x.set == set }) {
			continue
		}
		sets = append(sets, seen{set, r})
	}
	resolved, other, hasLatin := all, all, false
	for _, x := range sets {
		resolved = resolved.and(x.set)
		if x.set.has(t.latin) {
			hasLatin = true
		} else {
			other = other.and(x.set)
		}
	}
	if !resolved.empty() {
		return ""
	}
	var offender seen
	switch {
	case other.empty():
		// Two non-Latin scripts that share no writing system: the first
		// character that leaves none.
		acc := all
		for _, x := range sets {
			if !x.set.has(t.latin) {
				if acc = acc.and(x.set); acc.empty() {
					offender = x
					break
				}
			}
		}
	case other.has(t.jpan) || other.has(t.kore) || other.has(t.hanb):
		return ""
	case hasLatin && !other.has(t.cyrillic) && !other.has(t.greek) && !other.has(t.cherokee):
		return ""
	default:
		// Latin with Cyrillic, Greek or Cherokee: name the first letter of
		// the script that passes for Latin.
		for _, x := range sets {
			if !x.set.has(t.latin) {
				offender = x
				break
			}
		}
	}
	names := make([]string, 0, len(sets))
	for _, x := range sets {
		if n := t.name(x.set); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return fmt.Sprintf("mixes the scripts %s (%U %q is %s); a name may use one script, or Latin with Han and "+
		"Hiragana/Katakana, Hangul or Bopomofo, or Latin with one other script except Cyrillic, Greek and Cherokee "+
		"(UTS #39, moderately restrictive), so that it cannot pass for another name",
		strings.Join(names, " and "), offender.first, string(offender.first), t.name(offender.set))
}

func (t *scriptTables) latinSet() scriptSet {
	var s scriptSet
	s.add(t.latin)
	return s
}
