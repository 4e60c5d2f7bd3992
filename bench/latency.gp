# Latency per query class for every engine of a run: p50 (left) and p95 (right), log scale.
# usage: gnuplot -e "datafile='by_class.tsv'; outfile='latency.png'; engines='depeche xapian ...'; subtitle='...'" latency.gp
# datafile: class, then <engine>_p50 and <engine>_p95 (ms) for each engine in `engines` order.
# The first `ours` engines (Dépêche modes) are drawn as thick solid lines, peers as thin dashed ones.
if (!exists("subtitle")) subtitle = ""
if (!exists("ours")) ours = 0
colors = "#d62728 #ff7f0e #8c564b #1f77b4 #2ca02c #9467bd #17becf #7f7f7f #bcbd22 #e377c2 #000000 #aec7e8"
set terminal pngcairo size 1600,800 font "sans,10"
set output outfile
set datafile separator "\t"
set datafile missing "NaN"
set key autotitle columnhead
set logscale y
set grid ytics mytics
set ylabel "latency (ms, log scale)"
set xtics rotate by -30
set key outside right top vertical
set offsets 0.3, 0.3, 0, 0
n = words(engines)
set multiplot layout 1,2 title "Query latency per class (one engine at a time, warm cache). " . subtitle
set title "p50"
unset key
plot for [i=1:n] datafile using (column(2*i)):xtic(1) with linespoints lc rgb word(colors, (i-1)%12+1) \
     lw (i <= ours ? 3 : 1.5) dt 1+(i > ours) pt i title word(engines, i)
set title "p95"
set key outside right top vertical
plot for [i=1:n] datafile using (column(2*i+1)):xtic(1) with linespoints lc rgb word(colors, (i-1)%12+1) \
     lw (i <= ours ? 3 : 1.5) dt 1+(i > ours) pt i title word(engines, i)
unset multiplot
