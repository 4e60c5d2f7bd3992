# Latency per query class for every engine of a run: p50 (left) and p95 (right), log scale.
# usage: gnuplot -e "datafile='by_class.tsv'; outfile='latency.png'; engines='depeche xapian ...'; subtitle='...'" latency.gp
# datafile: class, then <engine>_p50 and <engine>_p95 (ms) for each engine in `engines` order.
if (!exists("subtitle")) subtitle = ""
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
plot for [i=1:n] datafile using (column(2*i)):xtic(1) with linespoints lw 2 pt i title word(engines, i)
set title "p95"
plot for [i=1:n] datafile using (column(2*i+1)):xtic(1) with linespoints lw 2 pt i title word(engines, i)
unset multiplot
