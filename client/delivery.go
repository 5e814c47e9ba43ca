package client

// Delivery is how requests reach weblog-server (PROTOCOL.md §1).
type Delivery string

// The deliveries.
const (
	// DeliverySubsystem: the weblog subsystem of sshd_config (or the
	// embedded server) answers.
	DeliverySubsystem Delivery = "subsystem"
	// DeliveryExec: sshd refused the subsystem, so requests are exec'd,
	// which a forced command in authorized_keys serves.
	DeliveryExec Delivery = "exec"
	// DeliveryPipe: a Client from NewPipe.
	DeliveryPipe Delivery = "pipe"
)

// Delivery returns how c's requests reach the server. Before the first
// request it is DeliverySubsystem, which is tried first; once sshd has
// refused the subsystem it is DeliveryExec.
func (c *Client) Delivery() Delivery {
	t, ok := c.t.(*sshTransport)
	if !ok {
		return DeliveryPipe
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.exec {
		return DeliveryExec
	}
	return DeliverySubsystem
}
