package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/live/brokers"
	"github.com/nbac/nbac/live/kube"
	"github.com/nbac/nbac/live/lb"
)

// liveFlags are the flags of the commands that talk to the cluster.
type liveFlags struct {
	kubeconfig, context string
}

func (f *liveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig `file` (default: $KUBECONFIG, else ~/.kube/config)")
	fs.StringVar(&f.context, "context", "", "kubeconfig context `name` (default: the current context)")
}

// liveState is a live plan with what apply needs to carry it out.
type liveState struct {
	kube     *kube.Client
	kubePlan *kube.Plan // nil when the build has no Kubernetes objects
	lb       *lb.Plan
	brokers  *brokers.Plan
	// kubeLeftOut counts the build's Kubernetes objects left out because
	// nothing points nbac at a cluster (no kubeconfig at all).
	kubeLeftOut int
}

// planLive compares a compiled build with the running systems: the
// Kubernetes objects with the API server, the HAProxy load balancers with
// their runtime API, the queues with their brokers (RabbitMQ, Redis
// Streams, Kafka). Nothing is
// changed.
func planLive(ctx context.Context, c compiled, f liveFlags) (*plan.Plan, *liveState, error) {
	st := &liveState{}
	p := &plan.Plan{Live: true}
	objs, err := kube.Desired(c.arts)
	if err != nil {
		return nil, nil, err
	}
	if len(objs) > 0 {
		st.kube, err = kube.Connect(f.kubeconfig, f.context)
		if errors.Is(err, kube.ErrNoKubeconfig) {
			// Nobody pointed nbac at a cluster: an estate of load
			// balancers and queues (whose PrometheusRule is its only
			// Kubernetes object) is still compared, as an HAProxy that
			// does not answer is a note too.
			p.Notes = append(p.Notes, fmt.Sprintf("%d Kubernetes object(s) are not compared, and apply leaves them: %v", len(objs), err))
			st.kubeLeftOut = len(objs)
			objs = nil
		} else if err != nil {
			return nil, nil, err
		}
	}
	if len(objs) > 0 {
		set := kube.ForProject(c.model.Project.Name, c.model.Project.Namespace)
		if st.kubePlan, err = st.kube.Plan(ctx, set, objs); err != nil {
			return nil, nil, fmt.Errorf("Kubernetes API server %s: %w", st.kube.Server, err)
		}
		p.Changes = append(p.Changes, st.kubePlan.Changes()...)
	}
	if st.lb, err = lb.Compute(ctx, c.model); err != nil {
		return nil, nil, err
	}
	p.Changes = append(p.Changes, st.lb.Changes()...)
	p.Notes = append(p.Notes, st.lb.Notes...)
	if st.brokers, err = brokers.Compute(ctx, c.model, os.LookupEnv); err != nil {
		return nil, nil, err
	}
	p.Changes = append(p.Changes, st.brokers.Changes()...)
	p.Notes = append(p.Notes, st.brokers.Notes...)
	return p, st, nil
}
