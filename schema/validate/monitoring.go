package validate

import "fmt"

// metrics checks a service's metrics block: its port is a second
// container port, so it must differ from the service's port.
func (c *svcChecker) metrics() {
	m := c.svc.Metrics
	if m == nil {
		return
	}
	where := "metrics of " + c.what()
	if m.Port < 1 || m.Port > 65535 {
		c.fail(m.Src, "port", "Invalid port", fmt.Sprintf("port in %s is %d; it must be from 1 to 65535.", where, m.Port))
	} else if m.Port == c.svc.Port {
		c.fail(m.Src, "port", "Metrics port taken",
			fmt.Sprintf("port in %s is %d, the service's own port; the runtime serves metrics on a listener of its own. Set another port in the metrics block.", where, m.Port))
	}
	if len(m.Path) == 0 || m.Path[0] != '/' {
		c.fail(m.Src, "path", "Invalid metrics path", fmt.Sprintf("path in %s must start with \"/\"; got %q.", where, m.Path))
	}
}
