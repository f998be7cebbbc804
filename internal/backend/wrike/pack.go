package wrike

import (
	"bytes"
	"slices"
)

// Users are held in memory and stored as their JSON, packed: the schema URNs
// and the attribute names every user has are each replaced by one control
// byte. encoding/json never writes a byte below 0x20 unescaped, so any such
// byte in a packed document is a token, and unpacking restores the JSON
// exactly. Packing halves a typical document, which keeps a million users
// inside the backend's memory budget without costing lookups more than a
// byte-wise copy, and the store holds the packed form so that a start loads
// users without packing them again. The tokens are therefore a stored
// format: they may be added to, never changed or reused.
var packTokens = [...]string{
	1:  schemaUser,
	2:  schemaEnterprise,
	3:  schemaWrike,
	4:  `{"schemas":["`,
	5:  `"],"id":"`,
	6:  `,"active":true`,
	7:  `,"active":false`,
	8:  `"displayName":"`,
	9:  `"emails":[{`,
	10: `"phoneNumbers":[{`,
	11: `"primary":true,`,
	12: `"type":"work",`,
	13: `"value":"`,
	14: `"externalId":"`,
	15: `"name":{`,
	16: `"familyName":"`,
	17: `"givenName":"`,
	18: `"formatted":"`,
	19: `"title":"`,
	20: `"department":"`,
	21: `"organization":"`,
	22: `"userType":"`,
	23: `"Regular"`,
	24: `"userName":"`,
	25: `,"meta":{"resourceType":"User","created":"`,
	26: `","lastModified":"`,
	27: `","version":"W/\"`,
	28: `"type":"home",`,
	29: `"},{`,
	30: `"employeeNumber":"`,
	31: `"costCenter":"`,
}

// packIndex lists, for each first byte, the tokens starting with it, longest first.
var packIndex = func() [256][]byte {
	var idx [256][]byte
	for b := 1; b < len(packTokens); b++ {
		c := packTokens[b][0]
		idx[c] = append(idx[c], byte(b))
	}
	for c := range idx {
		slices.SortFunc(idx[c], func(x, y byte) int { return len(packTokens[y]) - len(packTokens[x]) })
	}
	return idx
}()

// packDoc returns the in-memory form of a stored document, sized exactly.
func packDoc(doc []byte) []byte {
	out := make([]byte, 0, len(doc))
	for i := 0; i < len(doc); {
		matched := false
		for _, t := range packIndex[doc[i]] {
			tok := packTokens[t]
			if len(doc)-i >= len(tok) && string(doc[i:i+len(tok)]) == tok {
				out = append(out, t)
				i += len(tok)
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, doc[i])
			i++
		}
	}
	return slices.Clip(append([]byte(nil), out...))
}

// packUserDoc packs a resource as encodeDoc writes it, leaving out meta (its
// last member), which the user's fields hold.
func packUserDoc(doc []byte) []byte {
	if i := bytes.LastIndex(doc, []byte(`,"meta":{"resourceType":"User",`)); i > 0 && bytes.HasSuffix(doc, []byte("}}")) {
		doc = append(doc[:i:i], '}')
	}
	return packDoc(doc)
}

// unpackedLen is the length of a packed document's JSON.
func unpackedLen(doc []byte) int {
	n := len(doc)
	for _, c := range doc {
		if c < 0x20 {
			n += len(packTokens[c]) - 1
		}
	}
	return n
}

// appendUnpacked appends the JSON of a packed document.
func appendUnpacked(dst, doc []byte) []byte {
	start := 0
	for i, c := range doc {
		if c < 0x20 {
			dst = append(dst, doc[start:i]...)
			dst = append(dst, packTokens[c]...)
			start = i + 1
		}
	}
	return append(dst, doc[start:]...)
}
