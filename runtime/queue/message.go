package queue

import (
	"fmt"
	"time"
)

// Priority levels, lowest first. The zero value of Message.Priority means
// PriorityNormal.
const (
	PriorityLow      = "low"
	PriorityNormal   = "normal"
	PriorityHigh     = "high"
	PriorityCritical = "critical"
)

// Levels is the number of priority levels; Level maps a name to 0..Levels-1.
const Levels = 4

// Level returns the rank of a priority name (low = 0, critical = 3).
func Level(p string) (int, error) {
	switch p {
	case PriorityLow:
		return 0, nil
	case "", PriorityNormal:
		return 1, nil
	case PriorityHigh:
		return 2, nil
	case PriorityCritical:
		return 3, nil
	}
	return 0, fmt.Errorf("unknown priority %q: use low, normal, high or critical", p)
}

// LevelName is the inverse of Level.
func LevelName(l int) string {
	switch l {
	case 0:
		return PriorityLow
	case 2:
		return PriorityHigh
	case 3:
		return PriorityCritical
	}
	return PriorityNormal
}

// Headers the runtime sets on dead letters and replays.
const (
	HeaderError    = "x-nbac-error"     // the last handler error
	HeaderAttempts = "x-nbac-attempts"  // attempts made before dead-lettering
	HeaderOrigin   = "x-nbac-origin"    // the queue the message came from
	HeaderFailedAt = "x-nbac-failed-at" // RFC 3339 time of the last failure
	HeaderReplayed = "x-nbac-replayed"  // set by ReplayDLQ
)

// Message is what a service publishes.
type Message struct {
	// Key orders messages when the queue has ordering = "fifo": messages
	// with the same key are handled one at a time, in publish order.
	Key     string
	Body    []byte
	Headers map[string]string
	// Priority is low, normal (default), high or critical; it is honoured
	// only when the queue declares priorities = true.
	Priority string
	// Delay postpones delivery; it must not exceed the queue's max_delay.
	Delay time.Duration
}

// Delivery is a message handed to a handler.
type Delivery struct {
	Message
	// ID is the broker's identifier (stream ID, delivery tag, offset).
	ID string
	// Attempt counts handler attempts including this one: 1 on the first
	// delivery, 2 on the first retry, ...
	Attempt int
	// Redelivered is true when the broker handed the message out before
	// without a verdict (a consumer died or was shut down mid-work).
	Redelivered bool
	// Queue is the queue's name.
	Queue string
	// Tag is private to the driver that produced the delivery.
	Tag any
	// Level is the priority rank, 0 (low) .. 3 (critical).
	Level int
}

// clone copies headers so a driver can change them without touching the
// caller's map.
func cloneHeaders(h map[string]string) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = v
	}
	return out
}

// CloneHeaders returns a copy of h (nil for an empty map).
func CloneHeaders(h map[string]string) map[string]string { return cloneHeaders(h) }

// AddHeaders returns a copy of h with add set over it, or h itself when
// add is empty: a driver's Retry and DeadLetter build the message they
// send again with it, never changing the delivery's own map.
func AddHeaders(h, add map[string]string) map[string]string {
	if len(add) == 0 {
		return h
	}
	out := make(map[string]string, len(h)+len(add))
	for k, v := range h {
		out[k] = v
	}
	for k, v := range add {
		out[k] = v
	}
	return out
}
