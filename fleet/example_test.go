package fleet_test

import (
	"context"
	"fmt"

	"github.com/weblogctl/weblogctl/fleet"
)

func ExampleExpand() {
	hosts, err := fleet.Expand("web[08-10]", fleet.MaxHosts)
	fmt.Println(hosts, err)
	hosts, err = fleet.Expand("{edge,cache}[1,3].example.net", fleet.MaxHosts)
	fmt.Println(hosts, err)
	// Output:
	// [web08 web09 web10] <nil>
	// [edge1.example.net edge3.example.net cache1.example.net cache3.example.net] <nil>
}

func ExampleResolve() {
	groups, err := fleet.ParseGroups([]byte(`
[groups]
web = ["web[1-3]"]
all = ["@web", "db1"]
`))
	if err != nil {
		panic(err)
	}
	hosts, err := fleet.Resolve([]string{"db1", "@all"}, fleet.ResolveOptions{Groups: groups})
	fmt.Println(hosts, err)
	// Output:
	// [db1 web1 web2 web3] <nil>
}

func ExampleMerger() {
	line := func(host string, sec int) string {
		return fmt.Sprintf("192.0.2.1 - - [17/May/2015:10:00:%02d +0000] \"GET /%s HTTP/1.1\" 200 5\n", sec, host)
	}
	logs := []string{
		line("a", 1) + line("a", 4),
		line("b", 2) + line("b", 3) + line("b", 5),
	}
	m := fleet.NewMerger(len(logs), fleet.MergeOptions{}, func(host int, line []byte) error {
		fmt.Print(host, " ", string(line))
		return nil
	})
	for i, log := range logs {
		go func() {
			defer m.Close(i)
			m.Push(context.Background(), i, []byte(log))
		}()
	}
	if err := m.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 0 192.0.2.1 - - [17/May/2015:10:00:01 +0000] "GET /a HTTP/1.1" 200 5
	// 1 192.0.2.1 - - [17/May/2015:10:00:02 +0000] "GET /b HTTP/1.1" 200 5
	// 1 192.0.2.1 - - [17/May/2015:10:00:03 +0000] "GET /b HTTP/1.1" 200 5
	// 0 192.0.2.1 - - [17/May/2015:10:00:04 +0000] "GET /a HTTP/1.1" 200 5
	// 1 192.0.2.1 - - [17/May/2015:10:00:05 +0000] "GET /b HTTP/1.1" 200 5
}
