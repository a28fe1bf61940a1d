package webhooks

import (
	"math/rand/v2"
	"time"
)

// DefaultJitter is the jitter of DefaultSchedule: each retry delay is
// multiplied by a factor drawn uniformly from [0.8, 1.2].
const DefaultJitter = 0.2

// Schedule says when to retry a failed message: after attempt n fails, wait
// Delays[n-1] (jittered), then try again; after attempt len(Delays)+1
// fails, the message has failed for good.
//
// Its fields are used as they are: a Schedule with no Delays makes one
// attempt, and Jitter 0 means none. Start from DefaultSchedule.
type Schedule struct {
	// Delays are the waits before the second, third, … attempt.
	Delays []time.Duration
	// Jitter spreads retries so that endpoints that failed together are not
	// retried together: each delay d becomes d × (1 + Jitter × (2r − 1)),
	// r uniform in [0, 1), that is, within ±Jitter × d. It is clamped to
	// [0, 1].
	Jitter float64
	// Rand returns r (clamped to [0, 1]); nil means math/rand/v2.Float64.
	// Tests inject a fixed sequence.
	Rand func() float64
}

// DefaultSchedule returns the schedule Svix uses: 8 attempts, at once, then
// after 5 seconds, 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours and 10
// hours (27 h 35 min 5 s in all, before jitter), with DefaultJitter.
func DefaultSchedule() Schedule {
	return Schedule{
		Delays: []time.Duration{
			5 * time.Second,
			5 * time.Minute,
			30 * time.Minute,
			2 * time.Hour,
			5 * time.Hour,
			10 * time.Hour,
			10 * time.Hour,
		},
		Jitter: DefaultJitter,
	}
}

// Attempts is the number of attempts the schedule makes at most.
func (s Schedule) Attempts() int { return len(s.Delays) + 1 }

// Next returns when to make the next attempt, given that attempts have
// been made so far, the last of them (failed) at now. Next(0, now) is now:
// the first attempt is made at once. ok is false when the last attempt has
// been made: the message has failed.
func (s Schedule) Next(attempts int, now time.Time) (next time.Time, ok bool) {
	switch {
	case attempts <= 0:
		return now, true
	case attempts > len(s.Delays):
		return time.Time{}, false
	}
	d := s.Delays[attempts-1]
	if j := min(max(s.Jitter, 0), 1); j > 0 {
		r := rand.Float64
		if s.Rand != nil {
			r = s.Rand
		}
		d = time.Duration(float64(d) * (1 + j*(2*min(max(r(), 0), 1)-1)))
	}
	return now.Add(d), true
}
