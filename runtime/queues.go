package runtime

// queueSet is the runtime's open queues and broker connections (owned by
// the queue work).
type queueSet struct{}
