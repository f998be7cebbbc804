package scim

import (
	"net/http"
	"strings"
	"testing"
)

func TestFilterMatch(t *testing.T) {
	u := babs(t)
	tests := []struct {
		filter string
		want   bool
	}{
		// eq and the caseExact rules
		{`userName eq "bjensen@example.com"`, true}, // userName is case-insensitive
		{`USERNAME EQ "BJENSEN@EXAMPLE.COM"`, true}, // names and operators too
		{`userName eq "bjensen"`, false},
		{`externalId eq "00u1abcdEFGH"`, true},
		{`externalId eq "00u1abcdefgh"`, false}, // externalId is caseExact
		{`id eq "2819c223-7f76-453a-919d-413861904646"`, true},
		{`id eq "2819C223-7F76-453A-919D-413861904646"`, false},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen@example.com"`, true},
		// ne
		{`title ne "Tour Guide"`, false},
		{`title ne "Boss"`, true},
		{`nickName ne "x"`, true}, // unassigned differs from every value
		// co sw ew
		{`userName co "JENSEN"`, true},
		{`userName sw "bjen"`, true},
		{`userName ew "@example.COM"`, true},
		{`userName ew "@example.org"`, false},
		{`externalId co "abcd"`, true},
		{`externalId co "ABCD"`, false},
		{`externalId sw "00u1"`, true},
		{`externalId ew "efgh"`, false},
		// gt ge lt le on strings and dateTimes
		{`userName gt "a"`, true},
		{`userName gt "C"`, false},
		{`userName lt "c"`, true},
		{`userName ge "bjensen@example.com"`, true},
		{`userName le "BJENSEN@EXAMPLE.COM"`, true},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, false},
		{`meta.lastModified ge "2011-05-13T04:42:34Z"`, true},
		{`meta.lastModified gt "2011-01-01T00:00:00Z"`, true},
		{`meta.created lt "2010-01-23T04:56:22.5Z"`, true},
		{`meta.created le "2010-01-23T05:56:22+01:00"`, true}, // the same instant
		{`meta.created eq "2010-01-23T05:56:22+01:00"`, true},
		// pr
		{`title pr`, true},
		{`nickName pr`, false},
		{`emails pr`, true},
		{`name pr`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr`, true},
		{`addresses pr`, false},
		// booleans, including the string forms
		{`active eq true`, true},
		{`active eq TRUE`, true},
		{`active eq false`, false},
		{`active ne false`, true},
		{`active eq "True"`, true},
		// null
		{`nickName eq null`, true},
		{`title eq null`, false},
		{`title ne null`, true},
		// sub-attributes and multi-valued attributes
		{`name.familyName eq "jensen"`, true},
		{`name.givenName sw "Bar"`, true},
		{`emails.value eq "babs@jensen.org"`, true},
		{`emails eq "BABS@jensen.org"`, true}, // a complex multi-valued attribute compares "value"
		{`emails co "@jensen"`, true},
		{`emails.type eq "home"`, true},
		{`emails.type eq "other"`, false},
		{`emails.primary eq true`, true},
		{`phoneNumbers.primary eq true`, false},
		{`schemas eq "x"`, false},
		// value paths
		{`emails[type eq "work" and value co "@example.com"]`, true},
		{`emails[type eq "home" and value co "@example.com"]`, false},
		{`emails[type eq "home" or primary eq true]`, true},
		{`emails[not (type eq "work")]`, true},
		{`emails[value ew ".org"] and userName sw "b"`, true},
		{`x509Certificates[value eq "TUlJRE9qQ0NBaUtnQXdJQkFnSUxBT2Zr"]`, true},
		// extension attributes
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tour operations"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, true},
		{`urn:ietf:params:scim:schemas:extension:wrike:2.0:User:userType eq "regular"`, true},
		{`URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:WRIKE:2.0:USER:USERTYPE eq "Regular"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter pr`, false},
		// and, or, not, grouping and precedence
		{`title pr and userType eq "Employee"`, false},
		{`title pr or userType eq "Employee"`, true},
		{`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`, false},
		{`title pr and (emails co "example.com" or emails.value co "example.org")`, true},
		{`not (title pr)`, false},
		{`not(userName eq "x")`, true},
		{`userName eq "x" or title pr and active eq false`, false}, // and binds tighter
		{`(userName eq "x" or title pr) and active eq true`, true},
		{`((((active eq true))))`, true},
		{`not (not (active eq true))`, true},
		// escapes in strings
		{`displayName eq "Babs \u004aensen"`, true},
		{`title eq "Tour \"Guide\""`, false},
	}
	for _, tc := range tests {
		f, err := ParseFilter(UserResourceType, tc.filter)
		if err != nil {
			t.Errorf("ParseFilter(%s): %v", tc.filter, err)
			continue
		}
		if got := f.Match(u); got != tc.want {
			t.Errorf("%s: Match = %v, want %v (normal form %s)", tc.filter, got, tc.want, f)
		}
	}
}

func TestFilterNumbers(t *testing.T) {
	rt := &ResourceType{ID: "Thing", Name: "Thing", Schema: newSchema(&Schema{ID: "urn:example:Thing", Attributes: []*Attribute{
		{Name: "size", Type: TypeInteger},
		{Name: "ratio", Type: TypeDecimal},
		{Name: "blob", Type: TypeBinary},
	}})}
	res := decode(t, `{"size": 42, "ratio": 0.5, "blob": "AAEC"}`)
	for filter, want := range map[string]bool{
		`size eq 42`:      true,
		`size gt 41`:      true,
		`size ge 42.0`:    true,
		`size lt -1`:      false,
		`size le 4.2e1`:   true,
		`ratio lt 1`:      true,
		`ratio eq 0.5`:    true,
		`ratio ne 0.5`:    false,
		`blob eq "AAEC"`:  true,
		`size pr`:         true,
		`size eq null`:    false,
		`ratio gt 0.25`:   true,
		`not (size eq 1)`: true,
	} {
		f, err := ParseFilter(rt, filter)
		if err != nil {
			t.Errorf("%s: %v", filter, err)
			continue
		}
		if got := f.Match(res); got != want {
			t.Errorf("%s: got %v want %v", filter, got, want)
		}
	}
}

func TestFilterErrors(t *testing.T) {
	tests := []struct{ filter, detail string }{
		{``, "empty"},
		{`   `, "empty"},
		{`userName`, "operator"},
		{`userName eq`, "comparison value"},
		{`userName xx "a"`, `unknown operator "xx"`},
		{`userName eq "a" and`, "expression was expected"},
		{`userName eq "a" or or title pr`, "attribute"},
		{`(userName eq "a"`, `")"`},
		{`userName eq "a")`, `unexpected ")"`},
		{`userName eq "abc`, "not terminated"},
		{`userName eq "a\qb"`, "invalid escape"},
		{`userName eq bjensen`, "quoted string"},
		{`userName eq 'bjensen'`, "double quotes"},
		{`userName eq 12`, "quoted string"},
		{`nosuch eq "a"`, `unknown attribute "nosuch"`},
		{`name.nosuch eq "a"`, "unknown sub-attribute"},
		{`userName.x eq "a"`, "no sub-attributes"},
		{`urn:example:nosuch:attr eq "a"`, "unknown schema"},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User eq "a"`, "is a schema"},
		{`name eq "Babs"`, "is complex"},
		{`active gt true`, "only eq and ne"},
		{`active eq "yes"`, "boolean"},
		{`active eq 1`, "boolean"},
		{`meta.created gt "yesterday"`, "dateTime"},
		{`emails[type eq "work"`, `"]"`},
		{`emails[nosuch eq "x"]`, "not a sub-attribute"},
		{`emails[type eq "work" and emails[type eq "x"]]`, "not a sub-attribute"},
		{`userName[value eq "x"]`, "not a complex attribute"},
		{`emails[type eq "work"].nosuch eq "x"`, "not a sub-attribute"},
		{`emails[type eq "work"].value`, `expected an operator after "value"`},
		{`emails[type eq "work"].value[type eq "x"]`, "cannot be nested"},
		{`not userName eq "x"`, `"not" must be followed by "("`},
		{`userName eq "a" # title pr`, `unexpected "#"`},
		{`title pr pr`, `unexpected "pr"`},
		{`password eq "hunter2"`, `"password" cannot be used in a filter`},
		{`userName pr and password sw "h"`, `"password" cannot be used in a filter`},
		{strings.Repeat("(", 17) + `title pr` + strings.Repeat(")", 17), "nested more than 16"},
		{strings.Repeat("not(", 17) + `title pr` + strings.Repeat(")", 17), "nested more than 16"},
		{`userName eq "` + strings.Repeat("a", MaxFilterLength) + `"`, "at most 8192"},
	}
	for _, tc := range tests {
		_, err := ParseFilter(UserResourceType, tc.filter)
		if err == nil {
			t.Errorf("ParseFilter(%.60s) accepted a bad filter", tc.filter)
			continue
		}
		wantError(t, err, http.StatusBadRequest, ErrInvalidFilter, tc.detail)
	}
	// A guessed password never reaches an error detail (and so a log line).
	if _, err := ParseFilter(UserResourceType, `password eq "hunter2"`); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("password filter: %v", err)
	}
	// Depth at the limit is fine.
	if _, err := ParseFilter(UserResourceType, strings.Repeat("(", 16)+`title pr`+strings.Repeat(")", 16)); err != nil {
		t.Errorf("depth 16 refused: %v", err)
	}
}

func TestFilterNumbersErrors(t *testing.T) {
	rt := &ResourceType{ID: "Thing", Name: "Thing", Schema: newSchema(&Schema{ID: "urn:example:Thing", Attributes: []*Attribute{
		{Name: "size", Type: TypeInteger},
		{Name: "blob", Type: TypeBinary},
	}})}
	for filter, detail := range map[string]string{
		`size co 4`:       "co, sw and ew",
		`size eq "4"`:     "compare it with a number",
		`size eq 1.2.3`:   "not a number",
		`blob gt "AA"`:    "binary",
		`size eq null gt`: "unexpected",
	} {
		_, err := ParseFilter(rt, filter)
		if err == nil {
			t.Errorf("%s accepted", filter)
			continue
		}
		wantError(t, err, http.StatusBadRequest, ErrInvalidFilter, detail)
	}
}

func TestFilterString(t *testing.T) {
	for in, want := range map[string]string{
		`USERNAME Eq "x"`:                         `userName eq "x"`,
		`emails[TYPE eq "work" and value co "@"]`: `emails[type eq "work" and value co "@"]`,
		`a pr`: ``,
		`title pr or (active eq false and not (nickName pr))`:                          `title pr or (active eq false and not (nickName pr))`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:DEPARTMENT eq "x"`: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"`,
		`emails eq "a\"b"`:                              `emails.value eq "a\"b"`,
		`emails[type eq "work"].Value eq "x"`:           `emails[type eq "work" and value eq "x"]`,
		`emails[type eq "a" or type eq "b"].display pr`: `emails[(type eq "a" or type eq "b") and display pr]`,
	} {
		f, err := ParseFilter(UserResourceType, in)
		if want == "" {
			if err == nil {
				t.Errorf("%s accepted", in)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := f.String(); got != want {
			t.Errorf("%s: String = %s, want %s", in, got, want)
		}
		// The normal form parses to the same normal form.
		g, err := ParseFilter(UserResourceType, f.String())
		if err != nil || g.String() != want {
			t.Errorf("%s: normal form does not round-trip: %v %v", in, g, err)
		}
	}
}

func TestFilterEquality(t *testing.T) {
	tests := []struct {
		filter string
		want   Equality
		ok     bool
	}{
		{`userName eq "Bjensen@Example.com"`, Equality{"userName", "Bjensen@Example.com", false}, true},
		{`externalId eq "00u1"`, Equality{"externalId", "00u1", true}, true},
		{`id eq "abc"`, Equality{"id", "abc", true}, true},
		{`emails.value eq "a@b.c"`, Equality{"emails.value", "a@b.c", false}, true},
		{`emails eq "a@b.c"`, Equality{"emails.value", "a@b.c", false}, true},
		{`emails[type eq "work" and value eq "a@b.c"]`, Equality{"emails.value", "a@b.c", false}, true},
		{`emails[type eq "work"].value eq "a@b.c"`, Equality{"emails.value", "a@b.c", false}, true},
		{`urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value eq "a@b.c"`, Equality{"emails.value", "a@b.c", false}, true},
		{`emails[type eq "work"].type eq "work"`, Equality{}, false},
		{`active eq true and userName eq "x"`, Equality{"userName", "x", false}, true},
		{`(title pr and (externalId eq "e1"))`, Equality{"externalId", "e1", true}, true},
		{`userName eq "x" or userName eq "y"`, Equality{}, false},
		{`not (userName eq "x")`, Equality{}, false},
		{`userName co "x"`, Equality{}, false},
		{`title eq "x"`, Equality{}, false},
		{`emails.type eq "work"`, Equality{}, false},
	}
	for _, tc := range tests {
		f, err := ParseFilter(UserResourceType, tc.filter)
		if err != nil {
			t.Fatalf("%s: %v", tc.filter, err)
		}
		got, ok := f.Equality()
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: Equality = %+v %v, want %+v %v", tc.filter, got, ok, tc.want, tc.ok)
		}
	}
	f, _ := ParseFilter(UserResourceType, `title eq "x"`)
	if got, ok := f.Equality("title"); !ok || got.Attr != "title" {
		t.Errorf("Equality(title) = %+v %v", got, ok)
	}
}

func TestFilterMatchNonCanonicalResource(t *testing.T) {
	// A resource whose keys are not in canonical spelling still matches.
	res := decode(t, `{"USERNAME": "x@y.z", "Emails": [{"Value": "a@b.c"}]}`)
	for _, filter := range []string{`userName eq "x@y.z"`, `emails.value eq "a@b.c"`} {
		f, err := ParseFilter(UserResourceType, filter)
		if err != nil {
			t.Fatal(err)
		}
		if !f.Match(res) {
			t.Errorf("%s did not match", filter)
		}
	}
}
