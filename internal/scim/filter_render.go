package scim

import (
	"encoding/json"
	"strconv"
	"strings"
)

func writeNode(b *strings.Builder, n *node) {
	switch n.kind {
	case nodeAnd, nodeOr:
		sep := " and "
		if n.kind == nodeOr {
			sep = " or "
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			paren := (k.kind == nodeOr || k.kind == nodeAnd) && k.kind != n.kind
			if paren {
				b.WriteByte('(')
			}
			writeNode(b, k)
			if paren {
				b.WriteByte(')')
			}
		}
	case nodeNot:
		b.WriteString("not (")
		writeNode(b, n.kids[0])
		b.WriteByte(')')
	case nodeValuePath:
		b.WriteString(n.ref.String())
		b.WriteByte('[')
		writeNode(b, n.kids[0])
		b.WriteByte(']')
	case nodePresent:
		b.WriteString(n.ref.String())
		b.WriteString(" pr")
	case nodeCompare:
		b.WriteString(n.ref.String())
		b.WriteByte(' ')
		b.WriteString(opNames[n.op])
		b.WriteByte(' ')
		switch n.val.kind {
		case valString:
			q, _ := json.Marshal(n.val.s)
			b.Write(q)
		case valNumber:
			b.WriteString(n.val.s)
		case valBool:
			b.WriteString(strconv.FormatBool(n.val.b))
		case valNull:
			b.WriteString("null")
		}
	}
}
