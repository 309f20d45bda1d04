package compose

import (
	"testing"

	"github.com/threatls/threatls/analyzers/yamlnode"
)

func TestParsePort(t *testing.T) {
	docs, _ := yamlnode.Parse([]byte(`- "8080:80"
- "127.0.0.1:8080:80/udp"
- 80
- "[::1]:9000:9000"
- "0.0.0.0:443:443"
- "8000-8001:8000-8001"
- "${BIND}:80:80"
- "${PORT}"
- "nope"
- {target: 53, published: 53, protocol: udp}
- {target: 80, host_ip: 127.0.0.1}
- {published: 80}
`), "p.yaml")
	want := []struct {
		ok bool
		p  port
	}{
		{true, port{container: 80, bind: bindAll}},
		{true, port{container: 80, proto: "udp", bind: bindAddress}},
		{true, port{container: 80, bind: bindAll}},
		{true, port{container: 9000, bind: bindAddress}},
		{true, port{container: 443, bind: bindAll}},
		{true, port{container: 8000, bind: bindAll}},
		{true, port{container: 80, bind: bindUnknown}},
		{true, port{container: 0, bind: bindAll}},
		{false, port{}},
		{true, port{container: 53, proto: "udp", bind: bindAll}},
		{true, port{container: 80, bind: bindAddress}},
		{false, port{}},
	}
	items := docs[0].Root.Items
	for i, w := range want {
		got, ok := parsePort(items[i])
		if ok != w.ok || ok && got != w.p {
			t.Errorf("item %d (%s): %+v %v, want %+v %v", i, items[i].String(), got, ok, w.p, w.ok)
		}
	}
}
