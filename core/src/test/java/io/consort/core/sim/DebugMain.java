package io.consort.core.sim;

/** Prints the daemons' ring states through a seed's run: a tool for investigating a failing seed. */
final class DebugMain {
    private DebugMain() {
    }

    /** Crash scenario: {@code crash <daemons> <victim>}. */
    static void crash(int n, int victim) {
        Simulator.Params p = new Simulator.Params();
        p.daemons = n;
        p.faults = false;
        Simulator sim = new Simulator(42, p);
        sim.startAll();
        sim.runUntil(700 * Simulator.MS);
        sim.debugFrom = 700 * Simulator.MS;
        sim.debugTo = 2000 * Simulator.MS;
        sim.debugStep = 25 * Simulator.MS;
        sim.nextDebug = -1;
        sim.crash(victim);
        sim.runUntil(2000 * Simulator.MS);
    }

    public static void main(String[] args) {
        if (args[0].equals("crash")) {
            crash(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            return;
        }
        long seed = Long.parseLong(args[0]);
        long from = Long.parseLong(args[1]) * Simulator.MS;
        long to = Long.parseLong(args[2]) * Simulator.MS;
        long step = Long.parseLong(args.length > 3 ? args[3] : "50") * Simulator.MS;
        Simulator sim = new Simulator(seed);
        sim.debugFrom = from;
        sim.debugTo = to;
        sim.debugStep = step;
        System.out.println(sim.report(sim.run()));
        for (int i = 4; i < args.length; i++) {
            for (SessionLog log : sim.logs) {
                if (log.name.equals(args[i])) {
                    System.out.println("log of " + log);
                    for (SessionLog.Entry e : log.entries) {
                        System.out.println("  " + (e instanceof SessionLog.Delivered d
                                ? "msg " + d.msgId() + " seq " + d.event().sequence() + " " + d.event().level() + " " + d.event().groups()
                                : e));
                    }
                }
            }
        }
    }
}
