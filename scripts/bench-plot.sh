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
#   live_services.png   bench-live: snaps lost against services, snapvnf
#                       against the paper's design, at both loads (live.tsv)
#   live_chain.png      the same against chain length
#   live_cpu.png        CPU per packet against services, both designs
#   live_chain_cpu.png  the same against chain length
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

# (4-6) bench-live: loss against services and chain length, both designs
# side by side, as the paper's figures; and the CPU per packet.
if [ -s live.tsv ]; then
	# live_series LOAD SWEEP DESIGN: x, loss, min, max of that series
	for l in 9000 64 iperf3; do
		for sw in services chain; do
			for d in snapvnf seedline; do
				awk -F'\t' -v l=$l -v s=$sw -v d=$d 'NR > 1 && $1 == l && $2 == s && $4 == d {
					print $3 "\t" $9 "\t" $10 "\t" $11 "\t" $13 "\t" $15 "\t" $6 }' live.tsv \
					>".live_${l}_${sw}_${d}.dat"
			done
		done
	done
	gb=$(awk -F'\t' '$1 == 9000 { s += $6; n++ } END { if (n) printf "%.1f", s / n }' live.tsv)
	kp=$(awk -F'\t' '$1 == 64 { s += $5; n++ } END { if (n) printf "%.0f", s / n }' live.tsv)
	secs=$(sed -n 's/.*median of [0-9]* runs of \([0-9.]*\) s.*/\1/p' live.txt 2>/dev/null)
	kp=$(awk -v o="$kp" -v s="${secs:-2}" 'BEGIN { printf "%.0f", o / s / 1000 }')
	# A run may leave out a load or a sweep (BENCH_LIVE_LOADS, ..._CHAINS):
	# draw only the panels it has data for, and no chart without any.
	have() { [ -s ".live_$2_$1_snapvnf.dat" ] || [ -s ".live_$2_$1_seedline.dat" ]; }  # have SWEEP LOAD
	cols() { local l n=0; for l in 9000 64; do have "$1" $l && n=$((n + 1)); done; echo $n; }
	panel() {   # panel SWEEP LOAD TITLE XLABEL: one plot of a multiplot
		local extra=""
		have "$1" "$2" || return 0
		[ "$2" = 9000 ] && [ -s ".live_iperf3_$1_snapvnf.dat" ] && extra=", \
     '.live_iperf3_$1_snapvnf.dat' using 1:2 with points pt 4 ps 1.6 lc rgb '#2471a3' title 'snapvnf, iperf3 -b 9.85G', \
     '.live_iperf3_$1_seedline.dat' using 1:2 with points pt 6 ps 1.6 lc rgb '#c0392b' title 'seedline, iperf3 -b 9.85G'"
		echo "
set title \"$3\"
set xlabel '$4'
set ylabel 'snaps lost (% of offered, mean of services)'
set yrange [0:1<*]
plot '.live_$2_$1_seedline.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#c0392b' title 'paper design (seedline): copy per service', \
     '.live_$2_$1_snapvnf.dat' using 1:2:3:4 with yerrorlines lw 2 pt 5 lc rgb '#2471a3' title 'snapvnf: one broadcast ring'$extra
"
	}
	cpu_panel() {   # cpu_panel SWEEP COLUMN TITLE YLABEL: both designs at both loads
		echo "
set title '$3'
set xlabel '$([ "$1" = services ] && echo services || echo 'chain length (VNFs)')'
set ylabel '$4'"
		local l d sep=plot
		for l in 9000 64; do
			have "$1" $l || continue
			for d in seedline snapvnf; do
				printf "%s '.live_%s_%s_%s.dat' using 1:%s with linespoints lw 2 pt %s dt %s lc rgb '%s' title '%s, %s-byte frames'" \
					"$sep" $l "$1" $d "$2" "$([ $d = seedline ] && echo 7 || echo 5)" \
					"$([ $l = 9000 ] && echo 1 || echo 2)" \
					"$([ $d = seedline ] && echo '#c0392b' || echo '#2471a3')" \
					$d "$([ $l = 9000 ] && echo 9014 || echo 64)"
				sep=,
			done
		done
		echo
	}
	[ "$(cols services)" -gt 0 ] && plot live_services "
set terminal pngcairo size 1200,500 font 'sans,11' noenhanced
set output 'live_services.png'
set multiplot layout 1,$(cols services) title 'Live: snaps lost against services (each http_request dns tls_sni), median of runs, min-max bars'
set logscale x 2
set xrange [0.8:20]
set xtics (1, 2, 3, 4, 5, 8, 16)
$(panel services 9000 "10 Gb/s of 9014-byte frames (tcpreplay, ${gb} Gb/s offered)" 'services')
$(panel services 64 "64-byte frames, ~${kp} kpps (tcpreplay's top rate)" 'services')
unset multiplot
"
	[ "$(cols chain)" -gt 0 ] && plot live_chain "
set terminal pngcairo size 1200,500 font 'sans,11' noenhanced
set output 'live_chain.png'
set multiplot layout 1,$(cols chain) title 'Live: snaps lost against chain length (one service: http_request url_filter dns tls_sni pkt_stats)'
set xrange [0.5:5.5]
set xtics 1
$(panel chain 9000 "10 Gb/s of 9014-byte frames (tcpreplay, ${gb} Gb/s offered)" 'chain length (VNFs)')
$(panel chain 64 "64-byte frames, ~${kp} kpps (tcpreplay's top rate)" 'chain length (VNFs)')
unset multiplot
"
	[ "$(cols services)" -gt 0 ] && plot live_cpu "
set terminal pngcairo size 1200,500 font 'sans,11' noenhanced
set output 'live_cpu.png'
set multiplot layout 1,2 title 'Live: CPU per packet against services (CPU time; the machine is shared)'
set logscale x 2
set xrange [0.8:20]
set xtics (1, 2, 3, 4, 5, 8, 16)
set yrange [0:*]
$(cpu_panel services 5 'capturing process (snapvnfd; seedline copying into each ring)' 'CPU ns per packet received')
$(cpu_panel services 6 'everything: the capturing process and all services' 'CPU ns per packet offered')
unset multiplot
"
	[ "$(cols chain)" -gt 0 ] && plot live_chain_cpu "
set terminal pngcairo size 1200,500 font 'sans,11' noenhanced
set output 'live_chain_cpu.png'
set multiplot layout 1,2 title 'Live: CPU per packet against chain length, one service (CPU time; the machine is shared)'
set xrange [0.5:5.5]
set xtics 1
set yrange [0:*]
set key bottom right
$(cpu_panel chain 5 'capturing process (snapvnfd; seedline)' 'CPU ns per packet received')
$(cpu_panel chain 6 'everything: the capturing process and the service' 'CPU ns per packet offered')
unset multiplot
"
	rm -f .live_*.dat
fi

[ -n "$made" ] && echo "charts:$made"
exit $status
