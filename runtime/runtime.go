package runtime

import (
	"github.com/nbac/nbac/schema"
)

// Runtime holds a model and the caches and queues opened from it.
// Caches are owned by caches.go, queues by queues.go.
type Runtime struct {
	model  *schema.Model
	caches cacheSet
	queues queueSet
}

// Model returns the model the runtime was opened with.
func (rt *Runtime) Model() *schema.Model { return rt.model }
