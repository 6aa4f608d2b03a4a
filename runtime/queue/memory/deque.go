package memory

// deque is a FIFO of items that can also take items back at the front
// (released deliveries keep their place).
type deque struct {
	buf  []*item
	head int
}

func (q *deque) len() int { return len(q.buf) - q.head }

func (q *deque) pushBack(it *item) { q.buf = append(q.buf, it) }

func (q *deque) pushFront(it *item) {
	if q.head > 0 {
		q.head--
		q.buf[q.head] = it
		return
	}
	q.buf = append([]*item{it}, q.buf...)
}

func (q *deque) popFront() *item {
	if q.head == len(q.buf) {
		return nil
	}
	it := q.buf[q.head]
	q.buf[q.head] = nil
	q.head++
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	} else if q.head > 1024 && q.head*2 > len(q.buf) {
		n := copy(q.buf, q.buf[q.head:])
		q.buf, q.head = q.buf[:n], 0
	}
	return it
}

// dueHeap orders delayed items by due time, then by publish order.
type dueHeap []*item

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].id < h[j].id
	}
	return h[i].due.Before(h[j].due)
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(*item)) }
func (h *dueHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
