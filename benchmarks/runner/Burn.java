/** Keeps N cores busy until killed (the "other JVM" of benchmarks/runner-starts.sh). */
public class Burn {
    static volatile long sink;
    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        for (int t = 0; t < n; t++) {
            new Thread(() -> { long x = 0; while (true) { x = x * 6364136223846793005L + 1442695040888963407L; sink = x; } }).start();
        }
    }
}
