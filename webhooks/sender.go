package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Endpoint is where a customer receives webhooks, as a worker reads it from
// storage.
type Endpoint struct {
	// ID is the host's identifier for the endpoint, copied into Attempt.
	ID string
	// URL receives a POST per message.
	URL string
	// Secrets sign each message; all of them while a rotation overlaps
	// (the new secret and the old one), else one.
	Secrets []Secret
}

// Outcome classifies an attempt. The values are stable strings, fit to
// store.
type Outcome string

// Attempt outcomes. Only OutcomeSuccess delivers the message; a worker
// retries the others on its Schedule, except OutcomeInvalid (the message or
// endpoint can never be sent as they are) and OutcomeCanceled (the worker
// itself gave up, as at shutdown: try again without counting the attempt).
const (
	// OutcomeSuccess: the receiver answered 2xx.
	OutcomeSuccess Outcome = "success"
	// OutcomeHTTPStatus: the receiver answered, but not 2xx (3xx included:
	// redirects are not followed by default). A 410 Gone asks the sender to
	// stop; the worker may disable the endpoint.
	OutcomeHTTPStatus Outcome = "non_2xx"
	// OutcomeRefused: the policy refused the destination (address,
	// scheme, redirect) before any request was sent.
	OutcomeRefused Outcome = "refused_destination"
	// OutcomeTimeout: no complete answer within the client's timeout or
	// the context's deadline.
	OutcomeTimeout Outcome = "timeout"
	// OutcomeConnection: DNS, connect, TLS or protocol failure.
	OutcomeConnection Outcome = "connection_error"
	// OutcomeCanceled: the caller's context was canceled.
	OutcomeCanceled Outcome = "canceled"
	// OutcomeInvalid: the message or the endpoint is malformed (no secret,
	// a bad message ID, a URL that does not parse); nothing was sent.
	OutcomeInvalid Outcome = "invalid"
)

// Attempt records one delivery attempt, for storage and for the retry
// decision. A worker adds the attempt's number (see Schedule.Next).
type Attempt struct {
	// EndpointID and MessageID are Endpoint.ID and Message.ID.
	EndpointID string
	MessageID  string
	// SentAt is the attempt's time, the one in webhook-timestamp.
	SentAt time.Time
	// Latency runs from the start of the request to the response's headers
	// (or to the failure).
	Latency time.Duration
	// StatusCode is the response's status, 0 when there was no response.
	StatusCode int
	// Response is an excerpt of the response body (see ReadExcerpt).
	Response string
	// Outcome classifies the attempt.
	Outcome Outcome
	// Err is the failure, nil on success. For OutcomeHTTPStatus it says
	// the status; the other outcomes keep the client's error, so that
	// errors.Is(a.Err, ErrDestinationRefused) works.
	Err error
}

// Succeeded reports whether the receiver accepted the message.
func (a Attempt) Succeeded() bool { return a.Outcome == OutcomeSuccess }

// Sender makes delivery attempts. Its zero value is ready to use, with the
// production client policy. It is safe for concurrent use; bounding the
// number of concurrent attempts is the caller's job.
type Sender struct {
	// Client sends the requests; nil means a shared NewClient with the
	// zero ClientOptions.
	Client *http.Client
	// Now is the clock for webhook-timestamp; nil means time.Now.
	Now func() time.Time
	// ExcerptBytes bounds Attempt.Response; zero means
	// DefaultExcerptBytes.
	ExcerptBytes int
	// UserAgent is sent when set.
	UserAgent string
}

// defaultClient is the Client of a Sender that has none.
var defaultClient = sync.OnceValue(func() *http.Client { return NewClient(ClientOptions{}) })

// Send makes one attempt to deliver msg to ep: a POST of msg.Body as
// application/json with the three Standard Webhooks headers, signed with
// every secret of ep at the attempt's time. It never returns an error: the
// Attempt says what happened.
func (s *Sender) Send(ctx context.Context, ep Endpoint, msg Message) Attempt {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	a := Attempt{EndpointID: ep.ID, MessageID: msg.ID, SentAt: now().UTC().Truncate(time.Second)}
	header, err := SignHeaders(msg.ID, a.SentAt, msg.Body, ep.Secrets...)
	if err != nil {
		a.Outcome, a.Err = OutcomeInvalid, err
		return a
	}
	u, err := url.Parse(ep.URL)
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		err = ue.Err // without the URL, which may hold a password
	}
	if err == nil && (!u.IsAbs() || u.Host == "") {
		err = errors.New("not an absolute URL with a host")
	}
	if err != nil {
		a.Outcome, a.Err = OutcomeInvalid, fmt.Errorf("webhooks: endpoint URL: %w", err)
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(msg.Body))
	if err != nil {
		a.Outcome, a.Err = OutcomeInvalid, fmt.Errorf("webhooks: endpoint URL: %w", err)
		return a
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	if s.UserAgent != "" {
		req.Header.Set("User-Agent", s.UserAgent)
	}
	client := s.Client
	if client == nil {
		client = defaultClient()
	}

	start := time.Now()
	resp, err := client.Do(req)
	a.Latency = time.Since(start)
	if err != nil {
		a.Outcome, a.Err = classify(ctx, err), err
		return a
	}
	defer resp.Body.Close()
	a.StatusCode = resp.StatusCode
	n := s.ExcerptBytes
	if n <= 0 {
		n = DefaultExcerptBytes
	}
	// The status decides; a body that fails midway still leaves an excerpt.
	a.Response, _ = ReadExcerpt(resp.Body, n)
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		a.Outcome = OutcomeSuccess
	} else {
		a.Outcome, a.Err = OutcomeHTTPStatus, fmt.Errorf("webhooks: receiver answered %s", resp.Status)
	}
	return a
}

// classify maps a client error to an Outcome.
func classify(ctx context.Context, err error) Outcome {
	var netErr net.Error
	switch {
	case errors.Is(err, ErrDestinationRefused), errors.Is(err, ErrSchemeRefused),
		errors.Is(err, ErrSchemeDowngrade), errors.Is(err, ErrTooManyRedirects):
		return OutcomeRefused
	case errors.Is(ctx.Err(), context.Canceled):
		return OutcomeCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return OutcomeTimeout
	default:
		return OutcomeConnection
	}
}
