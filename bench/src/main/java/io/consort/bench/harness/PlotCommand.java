package io.consort.bench.harness;

import java.awt.BasicStroke;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * PNG plots from the harness's CSV, Consort and JGroups side by side, medians over the
 * successful runs of each point: throughput (msgs/s and MB/s, flat-out runs) against message size,
 * and latency (p50 and p99) against offered load at one message size. Runs headless.
 */
@Command(name = "plot", mixinStandardHelpOptions = true, description = "Draw PNG plots from the harness's results CSV.")
public final class PlotCommand implements Callable<Integer> {
    @Option(names = "--results", defaultValue = "docs/bench/results.csv")
    Path results;

    @Option(names = "--out", defaultValue = "docs/bench", description = "Directory for the PNG files.")
    Path out;

    @Option(names = "--latency-size", defaultValue = "1000", description = "Message size of the latency plot.")
    int latencySize;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        List<RunResult> runs = new ArrayList<>();
        for (String line : Files.readAllLines(results)) {
            if (!line.isBlank() && !line.startsWith("system,")) {
                RunResult r = RunResult.fromCsv(line);
                if (r.ok()) {
                    runs.add(r);
                }
            }
        }
        Files.createDirectories(out);
        // label -> x -> runs
        Map<String, Map<Long, List<RunResult>>> bySize = new TreeMap<>();
        Map<String, Map<Long, List<RunResult>>> byRate = new TreeMap<>();
        for (RunResult r : runs) {
            if (r.rate() == 0) {
                bySize.computeIfAbsent(r.label(), k -> new TreeMap<>())
                        .computeIfAbsent((long) r.sizeBytes(), k -> new ArrayList<>()).add(r);
            } else if (r.sizeBytes() == latencySize) {
                byRate.computeIfAbsent(r.label(), k -> new TreeMap<>()).computeIfAbsent(r.rate(), k -> new ArrayList<>())
                        .add(r);
            }
        }
        List<Path> written = new ArrayList<>();
        if (!bySize.isEmpty()) {
            written.add(save(chart("Throughput vs message size (slowest receiver, median)", "message size (bytes)",
                    "messages/s", collection(bySize, RunResult::msgsPerSecond, ""), true), "throughput-vs-size.png"));
            written.add(save(chart("Payload MB/s vs message size (slowest receiver, median)", "message size (bytes)",
                    "MB/s", collection(bySize, RunResult::mbPerSecond, ""), true), "mbps-vs-size.png"));
        }
        if (!byRate.isEmpty()) {
            XYSeriesCollection c = collection(byRate, RunResult::p99Micros, " p99");
            XYSeriesCollection p50 = collection(byRate, RunResult::p50Micros, " p50");
            for (int i = 0; i < p50.getSeriesCount(); i++) {
                c.addSeries(p50.getSeries(i));
            }
            JFreeChart ch = chart("Latency vs offered load, " + latencySize + " B (worst receiver, median)",
                    "offered load (messages/s)", "latency (µs)", c, false);
            XYPlot plot = ch.getXYPlot();
            plot.setRangeAxis(decades("latency (µs, log)"));
            written.add(save(ch, "latency-vs-load.png"));
        }
        written.forEach(p -> System.out.println("wrote " + p));
        return written.isEmpty() ? 1 : 0;
    }

    private static XYSeriesCollection collection(Map<String, Map<Long, List<RunResult>>> data,
            ToDoubleFunction<RunResult> f, String suffix) {
        XYSeriesCollection c = new XYSeriesCollection();
        for (Map.Entry<String, Map<Long, List<RunResult>>> e : data.entrySet()) {
            XYSeries s = new XYSeries(e.getKey() + suffix);
            for (Map.Entry<Long, List<RunResult>> p : e.getValue().entrySet()) {
                s.add(p.getKey().doubleValue(), Medians.median(p.getValue(), f));
            }
            c.addSeries(s);
        }
        return c;
    }

    private static JFreeChart chart(String title, String x, String y, XYSeriesCollection data, boolean logX) {
        JFreeChart ch = ChartFactory.createXYLineChart(title, x, y, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = ch.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        if (logX) {
            plot.setDomainAxis(decades(x + ", log"));
        }
        plot.setBackgroundPaint(java.awt.Color.WHITE);
        plot.setDomainGridlinePaint(java.awt.Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(java.awt.Color.LIGHT_GRAY);
        return ch;
    }

    /** A base-10 log axis with a tick per decade, labelled as plain numbers. */
    private static LogAxis decades(String label) {
        LogAxis axis = new LogAxis(label);
        axis.setBase(10);
        axis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1.0));
        axis.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
        axis.setMinorTickCount(9);
        return axis;
    }

    private Path save(JFreeChart chart, String name) throws Exception {
        Path p = out.resolve(name);
        ChartUtils.saveChartAsPNG(new File(p.toString()), chart, 900, 560);
        return p;
    }
}
