// Package runtime is what Go services embed: Open reads the same model that
// `nbac build` writes (model.json, or HCL compiled on the spot) and hands out
// the caches and queues declared in it, connected with credentials read from
// the environment variables the model names.
package runtime
