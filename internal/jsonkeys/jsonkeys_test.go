package jsonkeys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestFindExamples(t *testing.T) {
	for _, tc := range []struct {
		body, first, second, path string
	}{
		{`{"userName":"a","userName":"b"}`, "userName", "userName", ""},
		{`{"userName":"a","USERNAME":"b"}`, "userName", "USERNAME", ""},
		{`{"name":{"givenName":"a","givenname":"b"}}`, "givenName", "givenname", "name"},
		{`{"emails":[{"value":"a"},{"value":"b","Value":"c"}]}`, "value", "Value", "emails[1]"},
		{`[[{}],[{"a":1,"\u0061":2}]]`, "a", "a", "[1][0]"},
		// U+212A KELVIN SIGN folds to k, as strings.EqualFold says.
		{`{"k":1,"` + "\u212a" + `":2}`, "k", "\u212a", ""},
		{`{"a":{"b":[1,{"c":[{"d":{"e":0,"E":1}}]}]}}`, "e", "E", "a.b[1].c[0].d"},
	} {
		d := Find([]byte(tc.body))
		if d == nil {
			t.Errorf("Find(%s) = nil, want %q/%q", tc.body, tc.first, tc.second)
			continue
		}
		if d.First != tc.first || d.Second != tc.second || d.Path() != tc.path {
			t.Errorf("Find(%s) = %q/%q at %q, want %q/%q at %q", tc.body, d.First, d.Second, d.Path(), tc.first, tc.second, tc.path)
		}
		if !strings.Contains(d.Error(), strconv.Quote(tc.second)) {
			t.Errorf("Error() = %q does not name %q", d.Error(), tc.second)
		}
	}
	for _, ok := range []string{`{}`, `[]`, `"x"`, `{"a":{"a":{"a":1}}}`, `[{"a":1},{"a":2}]`, `{"ß":1,"ss":2}`, `{"a":"a","b":"a"}`, `{"a\"":1,"a":2}`} {
		if d := Find([]byte(ok)); d != nil {
			t.Errorf("Find(%s) = %v, want nil", ok, d)
		}
	}
}

// TestFindLargeObject crosses the switch from pairwise comparison to a map.
func TestFindLargeObject(t *testing.T) {
	for n := 1; n <= 3*linearKeys; n++ {
		for dup := range n {
			var b bytes.Buffer
			b.WriteString("{")
			for i := range n {
				fmt.Fprintf(&b, `"key%d":%d,`, i, i)
			}
			fmt.Fprintf(&b, `"KEY%d":0}`, dup)
			d := Find(b.Bytes())
			if d == nil || d.First != "key"+strconv.Itoa(dup) {
				t.Fatalf("%d keys, KEY%d repeated: Find = %v", n, dup, d)
			}
		}
	}
}

// TestFindRandomDocuments: a random document without repeated names is
// never refused, and the same document with one name repeated in any of its
// objects, at any depth and in any letter case, always is, at that object.
func TestFindRandomDocuments(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		g := gen{r: r}
		doc := g.value(0)
		body, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if d := Find(body); d != nil {
			t.Fatalf("Find(%s) = %v on a document without repeated names", body, d)
		}
		if len(g.objects) == 0 {
			continue
		}
		o := g.objects[r.IntN(len(g.objects))]
		if len(o.keys) == 0 {
			continue
		}
		k := o.keys[r.IntN(len(o.keys))]
		again := k
		if r.IntN(2) == 0 {
			again = strings.ToUpper(k)
		}
		bad := insertMember(t, body, o.mark, again)
		d := Find(bad)
		if d == nil {
			t.Fatalf("Find(%s) = nil; %q is repeated", bad, again)
		}
		if !strings.EqualFold(d.First, k) || d.Second != again || d.Path() != o.path {
			t.Fatalf("Find(%s) = %q/%q at %q, want %q/%q at %q", bad, d.First, d.Second, d.Path(), k, again, o.path)
		}
	}
}

// insertMember adds "name":0 as the last member of the object holding the
// member "mark".
func insertMember(t *testing.T, body []byte, mark, name string) []byte {
	t.Helper()
	q, _ := json.Marshal(mark)
	i := bytes.Index(body, append(q, ':'))
	if i < 0 {
		t.Fatalf("mark %q not in %s", mark, body)
	}
	// The mark is the object's last member (gen writes it so, and
	// encoding/json sorts map keys), its value 0.
	end := i + len(q) + len(":0")
	if body[end] != '}' {
		t.Fatalf("mark %q is not last in %s", mark, body)
	}
	out := append([]byte{}, body[:end]...)
	n, _ := json.Marshal(name)
	out = append(out, ',')
	out = append(out, n...)
	out = append(out, ":0"...)
	return append(out, body[end:]...)
}

type object struct {
	keys []string
	mark string // a member that sorts last, to find the object by
	path string
}

type gen struct {
	r       *rand.Rand
	objects []object
	path    []string
	n       int
}

var names = []string{"a", "B", "value", "Value2", "ß", "é", "κ", "emails", "k", "ſx"}

func (g *gen) value(depth int) any {
	switch k := g.r.IntN(6); {
	case depth > 4 || k < 2:
		return []any{"s", 1.5, true, nil}[g.r.IntN(4)]
	case k < 4:
		n := g.r.IntN(4)
		a := make([]any, n)
		for i := range a {
			g.path = append(g.path, "["+strconv.Itoa(i)+"]")
			a[i] = g.value(depth + 1)
			g.path = g.path[:len(g.path)-1]
		}
		return a
	default:
		m := map[string]any{}
		var keys []string
		for _, i := range g.r.Perm(len(names))[:g.r.IntN(len(names))] {
			keys = append(keys, names[i])
		}
		for _, k := range keys {
			g.path = append(g.path, k)
			m[k] = g.value(depth + 1)
			g.path = g.path[:len(g.path)-1]
		}
		g.n++
		mark := "\U0010FFFF" + strconv.Itoa(g.n) // sorts after every name
		m[mark] = 0
		g.objects = append(g.objects, object{keys: keys, mark: mark, path: joinPath(g.path)})
		return m
	}
}

func joinPath(p []string) string {
	var b strings.Builder
	for _, s := range p {
		if !strings.HasPrefix(s, "[") && b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// FuzzFind compares Find with a reference built on encoding/json's tokenizer
// for every text encoding/json accepts, and checks that any input leaves
// Find without a panic.
func FuzzFind(f *testing.F) {
	for _, s := range []string{`{"a":1,"A":2}`, `{"a":[{"b":1},{"b":2,"B":3}]}`, `{"\u00e9":1,"\u00c9":2}`, `[1,"x",{"k":{}}]`, `{"a":"\"","a\\":1}`, `{`, `{"a":1,"a"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := Find(b)
		if !json.Valid(b) {
			return
		}
		want := reference(b)
		switch {
		case (got == nil) != (want == nil):
			t.Fatalf("Find(%q) = %v, reference %v", b, got, want)
		case got != nil && (got.First != want.First || got.Second != want.Second):
			t.Fatalf("Find(%q) = %q/%q, reference %q/%q", b, got.First, got.Second, want.First, want.Second)
		}
	})
}

// reference finds the first repeated name the slow, obvious way: tokens,
// a list of names per open object, strings.EqualFold. It is called on valid
// JSON only, so the tokens end with io.EOF.
func reference(b []byte) *Duplicate {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // 1e700 is valid JSON, not a float64
	type frame struct {
		object  bool
		names   []string
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			panic(err)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].wantKey = true
				}
				continue
			}
			k := tok.(string)
			for _, p := range top.names {
				if strings.EqualFold(p, k) {
					return &Duplicate{First: p, Second: k}
				}
			}
			top.names = append(top.names, k)
			top.wantKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim(']'), json.Delim('}'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].wantKey = true
		}
	}
}

func BenchmarkFind(b *testing.B) {
	var body bytes.Buffer
	body.WriteString(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com","emails":[`)
	for i := range 5000 {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"value":"ann%d@example.com","type":"work","primary":false}`, i)
	}
	body.WriteString(`]}`)
	b.SetBytes(int64(body.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if Find(body.Bytes()) != nil {
			b.Fatal("duplicate")
		}
	}
}
