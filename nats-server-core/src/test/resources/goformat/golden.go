// Prints the golden strings GoFormatGoldenTest compares io.natsboot.server.goformat.GoFormat with.
// Regenerate with: go run golden.go > golden.tsv   (the Go version used is on the first line of the output)
// Each line: kind, input (hex where it is bytes), Go's output; tab-separated.
package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"time"
)

func main() {
	fmt.Printf("# %s\n", runtime.Version())
	durations := []int64{0, 1, 999, 1000, 1001, 1500, 999999, 1000000, 1500000, 1234567, 999999999,
		1000000000, 1500000000, 59999999999, 60000000000, 61000000000, 3599999999999, 3600000000000,
		3600500000000, 7205000000000, 86400000000000, 2 * 60 * 1e9, -1, -1500000, -61000000000,
		math.MaxInt64, math.MinInt64}
	for _, d := range durations {
		fmt.Printf("duration\t%d\t%s\n", d, time.Duration(d).String())
	}
	strs := []string{"", "abc", "caf\u00e9", "a\"b", "a\\b", "line\nbreak", "tab\there", "cr\r", "\a\b\f\v",
		"\x00\x01\x1f\x7f", "\u00a0nbsp", "\u2028", "\u200b", "\U0001F600", "\ue000", "日本語", " spaces ",
		"CN=foo,O=bar", "\u0085"}
	for _, s := range strs {
		fmt.Printf("quote\t%s\t%s\n", hex.EncodeToString([]byte(s)), strconv.Quote(s))
	}
	byteStrs := [][]byte{[]byte("PUB foo bar"), {0xff, 'a'}, {0xc3}, {0xc3, 0xa9}, {0xe2, 0x82}, {0xed, 0xa0, 0x80},
		{0xc0, 0xaf}, {0xf4, 0x90, 0x80, 0x80}, {0xe0, 0x80, 0x80}, {'x', 0x80, 'y'}}
	for _, b := range byteStrs {
		fmt.Printf("quotebytes\t%s\t%q\n", hex.EncodeToString(b), string(b))
	}
	floats := []float64{0, 1, 2, 0.1, 0.7142857142857143, 1e-6, 1e-7, 123456789, 1e20, 1e21, 1.5e21, -2.5,
		0.000001234, 12.5, 100}
	for _, f := range floats {
		j, _ := json.Marshal(f)
		fmt.Printf("float\t%d\t%s\n", math.Float64bits(f), j)
	}
	times := [][2]int64{{0, 0}, {1795000000, 42271672}, {1795000000, 500000000}, {1795000000, 1}, {1795000000, 100}}
	for _, t := range times {
		fmt.Printf("rfc3339nano\t%d.%09d\t%s\n", t[0], t[1], time.Unix(t[0], t[1]).UTC().Format(time.RFC3339Nano))
	}
	for _, s := range []string{"1", "-5", "+7", "", "-", "x", "9223372036854775807", "9223372036854775808", "-9223372036854775808"} {
		v, err := strconv.Atoi(s)
		out := strconv.Itoa(v)
		if err != nil {
			out = err.Error()
		}
		fmt.Printf("atoi\t%s\t%s\n", hex.EncodeToString([]byte(s)), out)
	}
	for _, s := range []string{"1", "true", "T", "False", "yes", ""} {
		v, err := strconv.ParseBool(s)
		out := strconv.FormatBool(v)
		if err != nil {
			out = err.Error()
		}
		fmt.Printf("parsebool\t%s\t%s\n", hex.EncodeToString([]byte(s)), out)
	}
}
