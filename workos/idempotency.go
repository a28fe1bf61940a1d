package workos

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"sync"
	"time"
)

// idempotency replays the first response to a create sent again with the
// same Idempotency-Key (and the same path). It lives in the Handler's
// memory: keys are not shared between processes, and are forgotten after
// the TTL or when more than the maximum are kept. A repeated key with a
// different body answers 422 (idempotency_key_invalid); a request that
// arrives while the first with its key is still running waits for it.
// Responses with status 5xx are not kept (the retry runs again).
type idempotency struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[string]*idemEntry
	order   []string
}

type idemEntry struct {
	done     chan struct{}
	bodyHash [sha256.Size]byte
	status   int
	header   http.Header
	body     []byte
	at       time.Time
	keep     bool
}

func newIdempotency(ttl time.Duration, max int) *idempotency {
	return &idempotency{ttl: ttl, max: max, entries: map[string]*idemEntry{}}
}

// recorder captures a response.
type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}

// idempotent wraps a create route.
func (h *Handler) idempotent(next route) route {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			return next(w, r)
		}
		if len(key) > 255 {
			return invalid("idempotency_key", "idempotency_key_invalid")
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(body)
		id := r.URL.Path + "\x00" + key
		c := h.idem
		for {
			c.mu.Lock()
			c.expire(time.Now())
			e, ok := c.entries[id]
			if !ok {
				e = &idemEntry{done: make(chan struct{}), bodyHash: sum, at: time.Now()}
				c.entries[id] = e
				c.order = append(c.order, id)
				c.mu.Unlock()
				rec := &recorder{ResponseWriter: w}
				err := next(rec, r)
				if err != nil {
					h.writeError(rec, r, err)
				}
				c.mu.Lock()
				e.status, e.body, e.header = rec.status, rec.buf.Bytes(), w.Header().Clone()
				e.keep = e.status < 500
				if !e.keep {
					delete(c.entries, id)
				}
				close(e.done)
				c.mu.Unlock()
				return nil
			}
			c.mu.Unlock()
			select {
			case <-e.done:
			case <-r.Context().Done():
				return r.Context().Err()
			}
			if !e.keep {
				continue // the first failed with a 5xx: run again
			}
			if e.bodyHash != sum {
				return invalid("idempotency_key", "idempotency_key_invalid")
			}
			for k, v := range e.header {
				if k != "X-Request-Id" {
					w.Header()[k] = v
				}
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(e.status)
			_, _ = w.Write(e.body)
			return nil
		}
	}
}

// expire forgets entries past the TTL, and the oldest beyond the maximum.
// Call with mu held.
func (c *idempotency) expire(now time.Time) {
	drop := 0
	for drop < len(c.order) {
		e, ok := c.entries[c.order[drop]]
		if ok && now.Sub(e.at) < c.ttl && len(c.order)-drop <= c.max {
			break
		}
		if ok {
			select {
			case <-e.done:
				delete(c.entries, c.order[drop])
			default:
				if len(c.order)-drop <= c.max {
					return // still running: kept until it ends
				}
				delete(c.entries, c.order[drop])
			}
		}
		drop++
	}
	c.order = c.order[drop:]
}
