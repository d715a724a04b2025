#!/bin/bash
# The charts of make bench, drawn with gnuplot from the TSV tables the
# benchmarks wrote (bench.sh runs this at the end; run it again to redraw
# without measuring):
#   bench-plot.sh [RESULTS_DIR]     (default build/bench/results)
# Writes, beside the tables:
#   bench_ring.png      producer CPU ns per snap by readers, broadcast ring
#                       against a ring per service (bench_ring.tsv)
#   bench_chain.png     CPU ns per item by chain length: compiled, baseline,
#                       no converters (bench_chain.tsv)
#   bench_flowpath.png  CDF of the sender -> VNF delay of each record, sFlow
#                       against nfdump (bench_flowpath.records.tsv; the CDF
#                       itself into bench_flowpath.cdf.tsv)
# A chart whose table is missing is left out.
set -u
res=${1:-build/bench/results}
command -v gnuplot >/dev/null 2>&1 || {
	echo "bench-plot: no gnuplot (Debian package gnuplot-nox): no charts" >&2
	exit 1
}
[ -d "$res" ] || { echo "bench-plot: no $res" >&2; exit 1; }
cd "$res" || exit 1

status=0
made=""
# The settings every chart shares.
common='set terminal pngcairo size 800,500 font "sans,11" noenhanced
set datafile separator "\t"
set grid lc rgb "#dddddd"
set key top left box opaque'

plot() {   # plot NAME GNUPLOT-COMMANDS
	if printf '%s\nset output "%s.png"\n%s\n' "$common" "$1" "$2" | gnuplot; then
		made="$made $res/$1.png"
	else
		echo "bench-plot: $1.png failed" >&2
		status=1
	fi
}

# (1) bench_ring: readers 1..16 on a log2 axis.
if [ -s bench_ring.tsv ]; then
	sub=$(awk -F'\t' '$1 == 16 { printf "16 readers: broadcast %.1f ns/snap, copy %.1f (%.1fx)", $2, $3, $4 }' bench_ring.tsv)
	plot bench_ring "
set title \"Producer CPU per snap, by readers (bench_ring)\n$sub\"
set xlabel 'readers (services attached)'
set ylabel 'producer CPU time per snap (ns)'
set logscale x 2
set xrange [0.8:20]
set xtics (1, 2, 4, 8, 16)
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
plot 'bench_ring.tsv' skip 1 using 1:3 with linespoints lw 2 pt 7 lc rgb '#c0392b' title 'one ring per service (copy into each)', \
     '' skip 1 using 1:2 with linespoints lw 2 pt 5 lc rgb '#2471a3' title 'broadcast ring (written once)', \
     '' skip 1 using 1:3:(sprintf('%.0f', \$3)) with labels right offset -0.8,0.6 notitle, \
     '' skip 1 using 1:2:(sprintf('%.1f', \$2)) with labels left offset 0.8,0.6 notitle
"
fi

# (2) bench_chain: chain lengths 1..16.
if [ -s bench_chain.tsv ]; then
	sub=$(awk -F'\t' '$1 == 16 { printf "length 16: compiled %.0f ns/item, baseline %.0f (%.1fx), no converters %.0f", $2, $3, $3 / $2, $4 }' bench_chain.tsv)
	plot bench_chain "
set title \"Chain cost per item, by chain length (bench_chain)\n$sub\"
set xlabel 'chain length (VNFs)'
set ylabel 'CPU time per item through the chain (ns)'
set xrange [0:17]
set xtics (1, 2, 4, 8, 16)
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
plot 'bench_chain.tsv' skip 1 using 1:3 with linespoints lw 2 pt 7 lc rgb '#c0392b' title 'baseline (index walk, a copy per member)', \
     '' skip 1 using 1:2 with linespoints lw 2 pt 5 lc rgb '#2471a3' title 'compiled copy plans', \
     '' skip 1 using 1:4 with linespoints lw 2 pt 9 dt 2 lc rgb '#7f8c8d' title 'compiled, no converters (loop and calls)', \
     '' skip 1 using 1:3:(sprintf('%.0f', \$3)) with labels right offset -0.8,0.6 notitle, \
     '' skip 1 using 1:(\$1 > 1 ? \$2 : NaN):(sprintf('%.0f', \$2)) with labels left offset 1,0 notitle, \
     '' skip 1 using 1:(\$1 == 16 ? \$4 : NaN):(sprintf('%.0f', \$4)) with labels left offset 1,0 notitle
"
fi

# (3) bench_flowpath: the CDF of each path's sender -> VNF delays, in ms.
# The times are ns since the epoch, too long for a double to subtract
# exactly: split off the last 9 digits first.
if [ -s bench_flowpath.records.tsv ]; then
	awk -F'\t' 'NR > 1 && $3 > 0 && $6 > 0 {
		h = length($6) - 9; k = length($3) - 9
		d = (substr($6, 1, h) - substr($3, 1, k)) * 1e9 + (substr($6, h + 1) - substr($3, k + 1))
		printf "%s\t%.6f\n", $1, d / 1e6
	}' bench_flowpath.records.tsv | sort -t "$(printf '\t')" -k1,1 -k2,2g |
	awk -F'\t' 'BEGIN { print "path\tdelay_ms\tfraction" }
		{ p[NR] = $1; d[NR] = $2; n[$1]++ }
		END { for (i = 1; i <= NR; i++) printf "%s\t%s\t%.6f\n", p[i], d[i], ++r[p[i]] / n[p[i]] }' \
		>bench_flowpath.cdf.tsv
	key() {   # key PATH LABEL: the label with the path's median and p99
		awk -F'\t' -v p="$1" -v l="$2" '$1 == p && $2 == "sender_to_vnf" && $3 > 0 {
			m = $4 < 1 ? sprintf("%.3f", $4) : $4 < 100 ? sprintf("%.1f", $4) : sprintf("%.0f", $4)
			q = $5 < 1 ? sprintf("%.3f", $5) : $5 < 100 ? sprintf("%.1f", $5) : sprintf("%.0f", $5)
			printf "%s: median %s ms, p99 %s ms", l, m, q; f = 1 }
			END { if (!f) print l }' bench_flowpath.tsv 2>/dev/null || echo "$2"
	}
	ks=$(key sflow "sFlow into snapvnfd")
	kn=$(key nfdump "NetFlow via nfcapd -t 2 + nfdump")
	plot bench_flowpath "
set title 'Delay from sender to flow VNF, per record (bench_flowpath)'
set xlabel 'delay, sender -> VNF (ms, log scale; wall clock)'
set ylabel 'fraction of records delivered'
set logscale x 10
set format x '%g'
set xrange [0.001:10000]
set yrange [0:1.25]
set ytics 0, 0.1, 1
plot 'bench_flowpath.cdf.tsv' skip 1 using (strcol(1) eq 'sflow' ? \$2 : NaN):3 with steps lw 2 lc rgb '#2471a3' title '$ks', \
     '' skip 1 using (strcol(1) eq 'nfdump' ? \$2 : NaN):3 with steps lw 2 lc rgb '#c0392b' title '$kn'
"
fi

[ -n "$made" ] && echo "charts:$made"
exit $status
