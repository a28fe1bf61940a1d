package webhooks

import (
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func TestDefaultScheduleWithoutJitter(t *testing.T) {
	s := DefaultSchedule()
	if s.Jitter != 0.2 || s.Attempts() != 8 {
		t.Fatalf("Jitter %v, Attempts %d; want 0.2 and 8", s.Jitter, s.Attempts())
	}
	s.Jitter = 0
	want := []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	now, total := t0, time.Duration(0)
	for n, d := range want {
		next, ok := s.Next(n, now)
		if !ok || next.Sub(now) != d {
			t.Fatalf("Next(%d) = +%v, %v; want +%v, true", n, next.Sub(now), ok, d)
		}
		total += d
		now = next
	}
	if total != 27*time.Hour+35*time.Minute+5*time.Second {
		t.Errorf("the schedule spans %v", total)
	}
	if next, ok := s.Next(8, now); ok || !next.IsZero() {
		t.Fatalf("Next(8) = %v, %v; want zero, false: the eighth attempt is the last", next, ok)
	}
	if _, ok := s.Next(100, now); ok {
		t.Fatal("Next(100) is ok")
	}
	if next, ok := s.Next(-1, now); !ok || !next.Equal(now) {
		t.Fatalf("Next(-1) = %v, %v; want now, true", next, ok)
	}
}

// seq returns the given values in turn, for Schedule.Rand.
func seq(vs ...float64) func() float64 {
	i := 0
	return func() float64 { v := vs[i%len(vs)]; i++; return v }
}

func TestScheduleJitter(t *testing.T) {
	for _, c := range []struct {
		jitter, r float64
		want      time.Duration // for a 10 s delay
	}{
		{0.2, 0, 8 * time.Second},
		{0.2, 0.25, 9 * time.Second},
		{0.2, 0.5, 10 * time.Second},
		{0.2, 0.75, 11 * time.Second},
		{0.2, 1, 12 * time.Second},
		{0.1, 0, 9 * time.Second},
		{0.1, 1, 11 * time.Second},
		{0, 0, 10 * time.Second},
		{5, 0, 0},                  // jitter clamped to 1
		{5, 1, 20 * time.Second},   // jitter clamped to 1
		{-1, 0, 10 * time.Second},  // clamped to 0
		{0.2, -3, 8 * time.Second}, // r clamped to 0
		{0.2, 7, 12 * time.Second}, // r clamped to 1
	} {
		s := Schedule{Delays: []time.Duration{10 * time.Second}, Jitter: c.jitter, Rand: seq(c.r)}
		next, ok := s.Next(1, t0)
		if !ok || next.Sub(t0) != c.want {
			t.Errorf("jitter %v, r %v: +%v, %v; want +%v", c.jitter, c.r, next.Sub(t0), ok, c.want)
		}
	}
	// The first attempt is at once, jitter or not, and draws nothing.
	s := Schedule{Delays: []time.Duration{time.Hour}, Jitter: 0.2, Rand: func() float64 { panic("drawn") }}
	if next, _ := s.Next(0, t0); !next.Equal(t0) {
		t.Fatalf("Next(0) = %v, want now", next)
	}
}

// With a seeded source the default schedule stays within ±20% of each
// delay, and does vary.
func TestDefaultScheduleJitterBounds(t *testing.T) {
	s := DefaultSchedule()
	src := rand.New(rand.NewPCG(1, 2))
	s.Rand = src.Float64
	plain := DefaultSchedule()
	plain.Jitter = 0
	for n := 1; n < s.Attempts(); n++ {
		base, _ := plain.Next(n, t0)
		d := base.Sub(t0)
		lo, hi := time.Duration(float64(d)*0.8), time.Duration(float64(d)*1.2)
		seen := map[time.Duration]bool{}
		for range 200 {
			next, ok := s.Next(n, t0)
			got := next.Sub(t0)
			if !ok || got < lo || got > hi {
				t.Fatalf("Next(%d) = +%v, want within [%v, %v]", n, got, lo, hi)
			}
			seen[got] = true
		}
		if len(seen) < 100 {
			t.Fatalf("Next(%d): only %d different delays in 200 draws", n, len(seen))
		}
	}
}

func TestScheduleCustom(t *testing.T) {
	var none Schedule
	if next, ok := none.Next(0, t0); !ok || !next.Equal(t0) {
		t.Fatal("the zero Schedule does not make its one attempt")
	}
	if _, ok := none.Next(1, t0); ok {
		t.Fatal("the zero Schedule retries")
	}
	one := Schedule{Delays: []time.Duration{time.Minute}}
	if next, ok := one.Next(1, t0); !ok || next.Sub(t0) != time.Minute {
		t.Fatalf("Next(1) = +%v, %v", next.Sub(t0), ok)
	}
	if _, ok := one.Next(2, t0); ok {
		t.Fatal("Next(2) of a two-attempt schedule is ok")
	}
	a, b := DefaultSchedule(), DefaultSchedule()
	a.Delays[0] = time.Hour
	if b.Delays[0] != 5*time.Second {
		t.Fatal("DefaultSchedule returns a shared slice")
	}
}
