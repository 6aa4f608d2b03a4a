package kubecheck

import (
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

var (
	evalOnce  sync.Once
	evaluator policy.Evaluator
	evalErr   error
)

// podSecurity evaluates every pod template against Pod Security
// "restricted" at the latest policy version, as the admission controller
// of a namespace labelled pod-security.kubernetes.io/enforce=restricted
// would.
func (c *checker) podSecurity() {
	evalOnce.Do(func() { evaluator, evalErr = policy.NewEvaluator(policy.DefaultChecks(), nil) })
	for _, o := range c.objects {
		d, ok := o.typed.(*appsv1.Deployment)
		if !ok {
			continue
		}
		if evalErr != nil {
			c.add(o, "spec.template", "cannot build the Pod Security evaluator: %v", evalErr)
			return
		}
		lv := api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}
		res := policy.AggregateCheckResults(evaluator.EvaluatePod(lv, &d.Spec.Template.ObjectMeta, &d.Spec.Template.Spec))
		for i, reason := range res.ForbiddenReasons {
			detail := res.ForbiddenDetails[i]
			if detail != "" {
				reason += " (" + detail + ")"
			}
			c.add(o, "spec.template", "violates Pod Security \"restricted\": %s", reason)
		}
	}
}
