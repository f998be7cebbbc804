package wrike_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// specTestFile is Okta's "SCIM 2.0 SPEC Test" (a Runscope export), as Okta
// hands it to integrators.
const specTestFile = "testdata/okta-scim-2.0-spec-test.json"

type specTest struct {
	Steps []specStep `json:"steps"`
}

type specStep struct {
	StepType   string              `json:"step_type"`
	Method     string              `json:"method"`
	URL        string              `json:"url"`
	Headers    map[string][]string `json:"headers"`
	Body       string              `json:"body"`
	Variables  []specVariable      `json:"variables"`
	Assertions []specAssertion     `json:"assertions"`
}

type specVariable struct {
	Source   string `json:"source"`
	Name     string `json:"name"`
	Property string `json:"property"`
}

type specAssertion struct {
	Comparison string  `json:"comparison"`
	Source     string  `json:"source"`
	Value      *string `json:"value"`
	Property   string  `json:"property"`
}

// TestOktaSPEC runs every request step of Okta's SCIM 2.0 SPEC test against
// the SCIM service, in order, as Okta's runner does; pauses are skipped.
func TestOktaSPEC(t *testing.T) {
	raw, err := os.ReadFile(specTestFile)
	if err != nil {
		t.Fatal(err)
	}
	var spec specTest
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}

	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "spec.example.com")
	// Step 1 reads the first user, so one must exist.
	createUser(t, sc, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"first@spec.example.com",
		"name":{"givenName":"First","familyName":"User"},"emails":[{"value":"first@spec.example.com","primary":true}],"active":true}`)

	n := rand.IntN(1_000_000)
	vars := map[string]string{
		"SCIMBaseURL":            sc.BaseURL,
		"auth":                   "Bearer " + sc.Token,
		"InvalidUserEmail":       fmt.Sprintf("nobody%d@spec.example.com", n),
		"randomEmail":            fmt.Sprintf("spec.user%d@spec.example.com", n),
		"randomUsername":         fmt.Sprintf("spec.user%d@spec.example.com", n),
		"randomGivenName":        fmt.Sprintf("Given%d", n),
		"randomFamilyName":       fmt.Sprintf("Family%d", n),
		"UserIdThatDoesNotExist": fmt.Sprintf("no-such-user-%d", n),
	}
	vars["randomUsernameCaps"] = strings.ToUpper(vars["randomUsername"])

	requests := 0
	for i, step := range spec.Steps {
		if step.StepType != "request" {
			continue
		}
		requests++
		name := fmt.Sprintf("step%02d %s %s", i+1, step.Method, step.URL)
		status, doc := runSpecStep(t, name, step, vars)
		for _, v := range step.Variables {
			got, ok := specProperty(doc, v.Property)
			if !ok {
				t.Fatalf("%s: variable %s: property %s missing", name, v.Name, v.Property)
			}
			vars[v.Name] = specText(got)
		}
		for _, a := range step.Assertions {
			if err := specAssert(a, status, doc, vars); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	if requests != 11 {
		t.Fatalf("the SPEC test has %d request steps, want 11", requests)
	}
}

var specVar = regexp.MustCompile(`\{\{(\w+)\}\}`)

func specExpand(s string, vars map[string]string) string {
	return specVar.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[2:len(m)-2]]; ok {
			return v
		}
		return m
	})
}

func runSpecStep(t *testing.T, name string, step specStep, vars map[string]string) (int, any) {
	t.Helper()
	rawURL := specExpand(step.URL, vars)
	// The export writes filters unencoded (spaces and quotes); encode the query.
	if base, query, ok := strings.Cut(rawURL, "?"); ok {
		vals := url.Values{}
		for _, kv := range strings.Split(query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			vals.Add(k, v)
		}
		rawURL = base + "?" + vals.Encode()
	}
	var body any
	if step.Body != "" {
		body = specExpand(step.Body, vars)
	}
	var headers []string // the export gives each header one value
	for k, vs := range step.Headers {
		for _, v := range vs {
			headers = append(headers, k, specExpand(v, vars))
		}
	}
	a := backendtest.Send(nil, step.Method, rawURL, body, headers...)
	if a.Status == 0 {
		t.Fatalf("%s: %s: %s", name, a.Req, a.Raw)
	}
	var doc any
	if strings.TrimSpace(a.Raw) != "" {
		if err := json.Unmarshal([]byte(a.Raw), &doc); err != nil {
			t.Fatalf("%s: answer is not JSON: %v: %s", name, err, a.Raw)
		}
	}
	if ct := a.Header.Get("Content-Type"); a.Raw != "" && !strings.HasPrefix(ct, "application/scim+json") {
		t.Errorf("%s: Content-Type %q, want application/scim+json", name, ct)
	}
	return a.Status, doc
}

var specIndex = regexp.MustCompile(`^(\w*)\[(\d+)\]$`)

// specProperty walks a Runscope property path such as Resources[0].name.givenName.
func specProperty(doc any, path string) (any, bool) {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		key, idx := part, -1
		if m := specIndex.FindStringSubmatch(part); m != nil {
			key = m[1]
			idx, _ = strconv.Atoi(m[2])
		}
		if key != "" {
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = obj[key]; !ok {
				return nil, false
			}
		}
		if idx >= 0 {
			list, ok := cur.([]any)
			if !ok || idx >= len(list) {
				return nil, false
			}
			cur = list[idx]
		}
	}
	return cur, true
}

// specText is a JSON value as Runscope compares it: strings bare, the rest as JSON.
func specText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func specAssert(a specAssertion, status int, doc any, vars map[string]string) error {
	var got any = float64(status)
	found := true
	if a.Source == "response_json" {
		got, found = specProperty(doc, a.Property)
	}
	want := ""
	if a.Value != nil {
		want = specExpand(*a.Value, vars)
	}
	where := a.Source
	if a.Property != "" {
		where += " " + a.Property
	}
	switch a.Comparison {
	case "equal_number":
		w, err := strconv.ParseFloat(want, 64)
		g, ok := got.(float64)
		if s, isStr := got.(string); isStr {
			g, err = strconv.ParseFloat(s, 64)
			ok = err == nil
		}
		if !found || !ok || err != nil || g != w {
			return fmt.Errorf("%s = %v, want the number %s", where, got, want)
		}
	case "equal":
		if !found || specText(got) != want {
			return fmt.Errorf("%s = %v, want %q", where, got, want)
		}
	case "not_empty":
		empty := !found || got == nil || got == ""
		if l, ok := got.([]any); ok && len(l) == 0 {
			empty = true
		}
		if m, ok := got.(map[string]any); ok && len(m) == 0 {
			empty = true
		}
		if empty {
			return fmt.Errorf("%s is empty", where)
		}
	case "has_value", "contains":
		list, _ := got.([]any)
		for _, e := range list {
			if specText(e) == want {
				return nil
			}
		}
		return fmt.Errorf("%s = %v, does not contain %q", where, got, want)
	case "is_a_number":
		if _, ok := got.(float64); !found || !ok {
			return fmt.Errorf("%s = %v, not a number", where, got)
		}
	default:
		return fmt.Errorf("unknown comparison %q", a.Comparison)
	}
	return nil
}
