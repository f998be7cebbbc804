package wrike

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"
	"sync"
	"time"
	"unsafe"
)

// userIndex holds every user, indexed by the attributes that SCIM equality
// filters are answered from, and in creation order for stable paging.
//
// It is built to hold millions of users in little memory and at no cost to
// the garbage collector: nothing in it is a Go pointer. Each version of a
// user is one block of bytes in an append-only arena (the packed document,
// then id, userName's canonical key, externalId, the emails' keys), plus a
// fixed-size record; the four lookup tables are open-addressing hash tables
// of record numbers. Readers get a *user whose strings and document point
// into the arena: the bytes of a block are never written again once stored,
// so a *user stays valid, and unchanged, after the index moves on.
type userIndex struct {
	mu     sync.RWMutex
	recs   []userRec // by record number; deleted records stay, with seq 0
	order  []uint32  // live record numbers by seq
	ids    hashTable
	names  hashTable // userNames' canonical keys (mailaddr.Key)
	exts   hashTable // externalId is case-exact; several users may share one
	emails hashTable // each canonical email key of each user
	userData
	active int
}

// userData holds the bytes of users' records: the arena of their blocks and
// the interned strings.
type userData struct {
	arena arena
	strs  []string // userType and provider values, interned
}

// userRec is one user's current version. Strings are lengths of the parts
// of its arena block, in this order: doc, id, userNameLower, externalID, emails.
type userRec struct {
	seq, version      int64
	created, modified int64 // Unix nanoseconds
	at                uint64
	docLen, idLen     uint32
	nameLen, extLen   uint32
	emailsLen         uint32
	userType          uint16 // index in strs
	provider          uint16
	active            bool
}

func newUserIndex() *userIndex {
	return &userIndex{}
}

// intern returns s's index in d.strs, adding it; the index's x.mu is held.
func (d *userData) intern(s string) uint16 {
	if i := slices.Index(d.strs, s); i >= 0 {
		return uint16(i) //nolint:gosec // a handful of user types and providers
	}
	d.strs = append(d.strs, s)
	return uint16(len(d.strs) - 1) //nolint:gosec // as above
}

// parts returns the block's pieces: doc, id, name, ext, emails.
func (x *userIndex) parts(r *userRec) (doc []byte, id, name, ext string, emails []byte) {
	b := x.arena.block(r.at, r.docLen+r.idLen+r.nameLen+r.extLen+r.emailsLen)
	doc, b = b[:r.docLen:r.docLen], b[r.docLen:]
	id, b = view(b[:r.idLen]), b[r.idLen:]
	name, b = view(b[:r.nameLen]), b[r.nameLen:]
	ext, emails = view(b[:r.extLen]), b[r.extLen:]
	return doc, id, name, ext, emails
}

// view is a string over arena bytes, which are never written again.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b)) //nolint:gosec // arena bytes are never written again once stored
}

// appendEmails encodes emails: each is its length (uvarint) and its bytes,
// or a zero length when it is the userName (emails are never empty).
func appendEmails(dst []byte, emails []string, name string) []byte {
	for _, e := range emails {
		if e == name {
			dst = append(dst, 0)
			continue
		}
		dst = binary.AppendUvarint(dst, uint64(len(e)))
		dst = append(dst, e...)
	}
	return dst
}

// eachEmail calls fn for each email of a list appendEmails encoded.
func eachEmail(list []byte, name string, fn func(string) bool) {
	for len(list) > 0 {
		u, k := binary.Uvarint(list)
		if k <= 0 || u > uint64(len(list)-k) { //nolint:gosec // k is positive and at most len(list)
			return
		}
		n := int(u) //nolint:gosec // at most len(list), checked above
		e := name
		if n > 0 {
			e = view(list[k : k+n])
		}
		if !fn(e) {
			return
		}
		list = list[k+n:]
	}
}

// user returns the user of record n; x.mu is held (read).
func (x *userIndex) user(n uint32) *user {
	r := &x.recs[n]
	doc, id, name, ext, emails := x.parts(r)
	u := &user{seq: r.seq, id: id, userNameLower: name, externalID: ext, active: r.active,
		userType: x.strs[r.userType], provider: x.strs[r.provider], version: r.version,
		created: time.Unix(0, r.created).UTC(), modified: time.Unix(0, r.modified).UTC(),
		doc: doc}
	eachEmail(emails, name, func(e string) bool { u.emails = append(u.emails, e); return true })
	return u
}

func (x *userIndex) idOf(n uint32) string {
	_, id, _, _, _ := x.parts(&x.recs[n])
	return id
}

func (x *userIndex) nameOf(n uint32) string {
	_, _, name, _, _ := x.parts(&x.recs[n])
	return name
}

func (x *userIndex) extOf(n uint32) string {
	_, _, _, ext, _ := x.parts(&x.recs[n])
	return ext
}

func (x *userIndex) hasEmail(n uint32, e string) bool {
	_, _, name, _, emails := x.parts(&x.recs[n])
	found := false
	eachEmail(emails, name, func(v string) bool { found = v == e; return !found })
	return found
}

// find returns the record holding key in t; x.mu is held.
func (x *userIndex) find(t *hashTable, key string, keyOf func(uint32) string) (uint32, bool) {
	var found uint32
	ok := false
	t.each(key, func(n uint32) bool {
		if x.recs[n].seq != 0 && keyOf(n) == key {
			found, ok = n, true
		}
		return !ok
	})
	return found, ok
}

// one returns the user whose key in t is key, or nil.
func (x *userIndex) one(t *hashTable, key string, keyOf func(uint32) string) *user {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if n, ok := x.find(t, key, keyOf); ok {
		return x.user(n)
	}
	return nil
}

// every returns the users whose entries under key in t match, by seq.
func (x *userIndex) every(t *hashTable, key string, match func(uint32) bool) []*user {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var ns []uint32
	t.each(key, func(n uint32) bool {
		if x.recs[n].seq != 0 && match(n) && !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
		return true
	})
	slices.SortFunc(ns, func(a, b uint32) int { return cmp.Compare(x.recs[a].seq, x.recs[b].seq) })
	out := make([]*user, len(ns))
	for i, n := range ns {
		out[i] = x.user(n)
	}
	return out
}

func (x *userIndex) get(id string) *user { return x.one(&x.ids, id, x.idOf) }

func (x *userIndex) byName(lower string) *user { return x.one(&x.names, lower, x.nameOf) }

func (x *userIndex) withExternalID(ext string) []*user {
	return x.every(&x.exts, ext, func(n uint32) bool { return x.extOf(n) == ext })
}

func (x *userIndex) withEmail(lower string) []*user {
	return x.every(&x.emails, lower, func(n uint32) bool { return x.hasEmail(n, lower) })
}

// all returns a snapshot of every user in creation order.
func (x *userIndex) all() []*user {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]*user, len(x.order))
	for i, n := range x.order {
		out[i] = x.user(n)
	}
	return out
}

// page returns users [start, start+count) in creation order and the total.
func (x *userIndex) page(start, count int) ([]*user, int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	total := len(x.order)
	if start >= total || count <= 0 {
		return nil, total
	}
	end := min(start+count, total)
	out := make([]*user, 0, end-start)
	for _, n := range x.order[start:end] {
		out = append(out, x.user(n))
	}
	return out, total
}

func (x *userIndex) counts() (active, inactive int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.active, len(x.order) - x.active
}

// walkChunk bounds how many users scan and count visit under one hold of
// the read lock, so that a long walk never keeps writers waiting long.
const walkChunk = 4096

// scan calls fn for each user created after seq, in creation order, until
// fn returns false or the users run out. fn runs under the read lock: it
// must be quick and must not call the index. Users created during the walk
// may be visited; a user's newest value is the one visited.
func (x *userIndex) scan(after int64, fn func(*user) bool) {
	for {
		x.mu.RLock()
		i := x.orderPos(after + 1)
		end := min(i+walkChunk, len(x.order))
		for _, n := range x.order[i:end] {
			u := x.user(n)
			after = u.seq
			if !fn(u) {
				x.mu.RUnlock()
				return
			}
		}
		x.mu.RUnlock()
		if end-i < walkChunk {
			return
		}
	}
}

// orderPos is the position in x.order of the first user with a seq of at
// least seq; x.mu is held.
func (x *userIndex) orderPos(seq int64) int {
	i, _ := slices.BinarySearchFunc(x.order, seq, func(n uint32, seq int64) int { return cmp.Compare(x.recs[n].seq, seq) })
	return i
}

// put indexes u, replacing the user with the same id. A stale value (a
// lower version than the one indexed) is ignored.
func (x *userIndex) put(u *user) {
	x.mu.Lock()
	defer x.mu.Unlock()
	old, replace := x.find(&x.ids, u.id, x.idOf)
	if replace && x.recs[old].version > u.version {
		return
	}
	x.store(u, old, replace)
}

// indexPart is the users of one seq range read from the store at start, in
// seq order, waiting for loadParts to join them to the others.
type indexPart struct {
	userData
	recs               [][]userRec // in blocks of partBlock: growing copies nothing
	n                  int
	extKeys, emailKeys int // entries the records add to the exts and emails tables
}

const partBlock = 1 << 16

// add appends u, which comes after every user added so far.
func (p *indexPart) add(u *user) {
	if last := len(p.recs) - 1; last < 0 || len(p.recs[last]) == partBlock {
		p.recs = append(p.recs, make([]userRec, 0, partBlock))
	}
	last := len(p.recs) - 1
	p.recs[last] = append(p.recs[last], p.record(u))
	p.n++
	if u.externalID != "" {
		p.extKeys++
	}
	p.emailKeys += len(u.emails)
}

// loadParts fills the empty index x with parts read from consecutive seq
// ranges, in order, and then builds each lookup table once, at its final
// size and side by side: filling the tables as users arrive rebuilds each at
// every doubling.
func (x *userIndex) loadParts(parts []*indexPart) {
	x.mu.Lock()
	defer x.mu.Unlock()
	total, extKeys, emailKeys := 0, 0, 0
	for _, p := range parts {
		total, extKeys, emailKeys = total+p.n, extKeys+p.extKeys, emailKeys+p.emailKeys
	}
	x.recs = make([]userRec, 0, total)
	for _, p := range parts {
		chunks := uint64(len(x.arena.chunks)) << 32 //nolint:gosec // a chunk count
		strs := make([]uint16, len(p.strs))
		for i, str := range p.strs {
			strs[i] = x.intern(str)
		}
		for _, b := range p.recs {
			for _, r := range b {
				r.at += chunks
				r.userType, r.provider = strs[r.userType], strs[r.provider]
				if r.active {
					x.active++
				}
				x.recs = append(x.recs, r)
			}
		}
		p.recs = nil
		x.arena.chunks = append(x.arena.chunks, p.arena.chunks...)
		x.arena.live = append(x.arena.live, p.arena.live...)
		x.arena.size += p.arena.size
		x.arena.free += p.arena.free
	}
	x.order = make([]uint32, total)
	for i := range x.order {
		x.order[i] = uint32(i) //nolint:gosec // fewer than 4 billion users
	}
	entries := []int{total, total, extKeys, emailKeys}
	var wg sync.WaitGroup
	for i, t := range x.tables() {
		wg.Go(func() { x.fill(t.table, t.keys, entries[i]) })
	}
	wg.Wait()
}

// indexedBy pairs a lookup table with the keys a record has in it.
type indexedBy struct {
	table *hashTable
	keys  func(n uint32, add func(string))
}

func (x *userIndex) tables() []indexedBy {
	return []indexedBy{{&x.ids, x.idKeys}, {&x.names, x.nameKeys}, {&x.exts, x.extKeys}, {&x.emails, x.emailKeys}}
}

// store writes u's block and record, replacing record old when replace;
// x.mu is held.
func (x *userIndex) store(u *user, old uint32, replace bool) {
	r := x.record(u)
	n := uint32(len(x.recs)) //nolint:gosec // fewer than 4 billion versions
	if replace {
		// The record keeps its number, so the tables and order stay valid.
		n = old
		x.unindex(n)
		x.arena.release(x.recs[n].at, x.blockLen(&x.recs[n]))
		x.recs[n] = r
	} else {
		x.recs = append(x.recs, r)
		i := x.orderPos(r.seq)
		x.order = slices.Insert(x.order, i, n)
	}
	x.index(n)
	if x.arena.wasteful() {
		x.compact()
	}
}

// record writes u's block to the arena and returns its record.
func (d *userData) record(u *user) userRec {
	emails := appendEmails(nil, u.emails, u.userNameLower)
	r := userRec{seq: u.seq, version: u.version, created: u.created.UnixNano(), modified: u.modified.UnixNano(),
		docLen: uint32(len(u.doc)), idLen: uint32(len(u.id)), //nolint:gosec // bounded by the 1 MiB request limit
		nameLen: uint32(len(u.userNameLower)), extLen: uint32(len(u.externalID)), emailsLen: uint32(len(emails)), //nolint:gosec // as above
		userType: d.intern(u.userType), provider: d.intern(u.provider), active: u.active}
	r.at = d.arena.add(u.doc, u.id, u.userNameLower, u.externalID, emails)
	return r
}

func (x *userIndex) blockLen(r *userRec) uint32 {
	return r.docLen + r.idLen + r.nameLen + r.extLen + r.emailsLen
}

// index adds record n's keys to the tables; x.mu is held and n is in order.
func (x *userIndex) index(n uint32) {
	for _, t := range x.tables() {
		x.indexKeys(t.table, n, t.keys)
	}
	if x.recs[n].active {
		x.active++
	}
}

func (x *userIndex) idKeys(n uint32, add func(string))   { add(x.idOf(n)) }
func (x *userIndex) nameKeys(n uint32, add func(string)) { add(x.nameOf(n)) }

func (x *userIndex) extKeys(n uint32, add func(string)) {
	if e := x.extOf(n); e != "" {
		add(e)
	}
}

func (x *userIndex) emailKeys(n uint32, add func(string)) {
	_, _, name, _, list := x.parts(&x.recs[n])
	eachEmail(list, name, func(e string) bool { add(e); return true })
}

// indexKeys adds record n's keys to t or, when t is too full for them,
// rebuilds t from every live record's keys (n's included).
func (x *userIndex) indexKeys(t *hashTable, n uint32, keys func(n uint32, add func(string))) {
	k := 0
	keys(n, func(string) { k++ })
	if !t.full(k) {
		keys(n, func(key string) { t.insert(key, n) })
		return
	}
	x.rebuild(t, keys)
}

// rebuild refills t from every live record's keys, with room to grow.
func (x *userIndex) rebuild(t *hashTable, keys func(n uint32, add func(string))) {
	live := 0
	for _, m := range x.order {
		keys(m, func(string) { live++ })
	}
	x.fill(t, keys, live)
}

// fill empties t, sized for entries, and adds every live record's keys. It
// only reads the records, so the tables can be filled side by side.
func (x *userIndex) fill(t *hashTable, keys func(n uint32, add func(string)), entries int) {
	t.reset(entries)
	for _, m := range x.order {
		keys(m, func(key string) {
			if t.full(1) { // a miscount; a full table would make insert probe for ever
				panic(fmt.Sprintf("wrike: user index table sized for %d entries overflowed", entries))
			}
			t.insert(key, m)
		})
	}
}

// unindex removes record n's keys from the tables (not from order); x.mu is held.
func (x *userIndex) unindex(n uint32) {
	_, id, name, ext, emails := x.parts(&x.recs[n])
	x.ids.remove(id, n)
	x.names.remove(name, n)
	if ext != "" {
		x.exts.remove(ext, n)
	}
	eachEmail(emails, name, func(e string) bool { x.emails.remove(e, n); return true })
	if x.recs[n].active {
		x.active--
	}
}

// remove drops the user with this id.
func (x *userIndex) remove(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	n, ok := x.find(&x.ids, id, x.idOf)
	if !ok {
		return
	}
	x.unindex(n)
	if i := x.orderPos(x.recs[n].seq); i < len(x.order) && x.order[i] == n {
		x.order = slices.Delete(x.order, i, i+1)
	}
	x.arena.release(x.recs[n].at, x.blockLen(&x.recs[n]))
	x.recs[n] = userRec{}
}

// compact moves the live blocks of the arena's emptiest chunks to its end,
// so that updates do not grow it without bound; x.mu is held.
func (x *userIndex) compact() {
	sparse := x.arena.sparse()
	if len(sparse) == 0 {
		return
	}
	for _, n := range x.order {
		if r := &x.recs[n]; slices.Contains(sparse, chunkOf(r.at)) {
			r.at = x.arena.add(x.arena.block(r.at, x.blockLen(r)))
		}
	}
	for _, c := range sparse {
		x.arena.drop(c)
	}
}

// arena is append-only memory for users' blocks, in chunks. A block is
// written once; a chunk whose blocks are mostly released is dropped after
// its live blocks were copied to the end (readers holding old blocks keep
// the old chunk alive).
type arena struct {
	chunks [][]byte
	live   []int // bytes of live blocks per chunk
	size   int   // bytes in chunks
	free   int   // bytes released
}

const arenaChunk = 4 << 20

func chunkOf(at uint64) int { return int(at >> 32) }

// add appends a block made of parts and returns its position.
func (a *arena) add(parts ...any) uint64 {
	n := 0
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			n += len(p)
		case []byte:
			n += len(p)
		}
	}
	last := len(a.chunks) - 1
	if last < 0 || cap(a.chunks[last])-len(a.chunks[last]) < n {
		a.chunks = append(a.chunks, make([]byte, 0, max(arenaChunk, n)))
		a.live = append(a.live, 0)
		a.size += max(arenaChunk, n)
		last++
	}
	c := a.chunks[last]
	at := uint64(last)<<32 | uint64(len(c)) //nolint:gosec // non-negative: a chunk number and an offset under 4 GiB
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			c = append(c, p...)
		case []byte:
			c = append(c, p...)
		}
	}
	a.chunks[last] = c
	a.live[last] += n
	return at
}

// block returns n bytes at position at.
func (a *arena) block(at uint64, n uint32) []byte {
	off := uint32(at) //nolint:gosec // the low half is the offset
	return a.chunks[chunkOf(at)][off : off+n : off+n]
}

func (a *arena) release(at uint64, n uint32) {
	a.live[chunkOf(at)] -= int(n)
	a.free += int(n)
}

// wasteful reports whether released bytes make up more than a third of
// the arena (and more than a chunk).
func (a *arena) wasteful() bool { return a.free > arenaChunk && a.free*3 > a.size }

// sparse lists the full chunks less than half live.
func (a *arena) sparse() []int {
	var out []int
	for c := range len(a.chunks) - 1 {
		if a.chunks[c] != nil && a.live[c]*2 < cap(a.chunks[c]) {
			out = append(out, c)
		}
	}
	return out
}

func (a *arena) drop(c int) {
	a.size -= cap(a.chunks[c])
	a.free -= len(a.chunks[c]) - a.live[c] // what was released in it
	a.chunks[c], a.live[c] = nil, 0
}

// hashTable maps keys to record numbers with open addressing and linear
// probing. It keeps no keys: callers compare the record's own. Several
// entries may share a key.
type hashTable struct {
	slots []uint32 // 0 empty, tomb deleted, else record number + 1
	used  int      // entries and tombstones
	seed  maphash.Seed
}

const tomb = ^uint32(0)

func (t *hashTable) start(key string) (uint64, uint64) {
	mask := uint64(len(t.slots) - 1) //nolint:gosec // a table has at least 1024 slots
	return maphash.String(t.seed, key) & mask, mask
}

// each calls fn for the entries in key's probe run until fn returns false.
func (t *hashTable) each(key string, fn func(n uint32) bool) {
	if len(t.slots) == 0 {
		return
	}
	for i, mask := t.start(key); ; i = (i + 1) & mask {
		switch v := t.slots[i]; v {
		case 0:
			return
		case tomb:
		default:
			if !fn(v - 1) {
				return
			}
		}
	}
}

// full reports whether k more entries would load t over three quarters.
func (t *hashTable) full(k int) bool { return (t.used+k)*4 > len(t.slots)*3 }

func (t *hashTable) insert(key string, n uint32) {
	for i, mask := t.start(key); ; i = (i + 1) & mask {
		if t.slots[i] == 0 {
			t.slots[i] = n + 1
			t.used++
			return
		}
	}
}

// remove deletes one entry for record n in key's probe run.
func (t *hashTable) remove(key string, n uint32) {
	if len(t.slots) == 0 {
		return
	}
	for i, mask := t.start(key); t.slots[i] != 0; i = (i + 1) & mask {
		if t.slots[i] == n+1 {
			t.slots[i] = tomb
			return
		}
	}
}

// reset empties t, with room for twice live entries.
func (t *hashTable) reset(live int) {
	size := 1024
	for size < live*2 {
		size *= 2
	}
	if t.slots == nil {
		t.seed = maphash.MakeSeed()
	}
	t.slots, t.used = make([]uint32, size), 0
}
