package plankg.neo4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * A Neo4j Community test server for plankg's CI and benchmark: Neo4j's own test harness,
 * in-process, with only a Bolt connector on 127.0.0.1. Not a deployment: the database lives in
 * a scratch folder under DIR that the harness deletes when it stops.
 *
 * <p>Usage: {@code java -cp … plankg.neo4j.Launcher DIR PORT}. With NEO4J_PASSWORD set (8+
 * characters) authentication is on and user {@code neo4j} has that password, as on a real
 * install; without it authentication is off. Prints the Bolt URI when the server is up and
 * stops cleanly on SIGTERM/SIGINT.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Launcher DIR PORT");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String password = System.getenv().getOrDefault("NEO4J_PASSWORD", "");
        long pageCacheMb = Long.parseLong(System.getenv().getOrDefault("NEO4J_PAGECACHE_MB", "512"));
        // one transaction may hold at most this much heap: a user's costly /cypher read fails
        // with MemoryPoolOutOfMemoryError instead of taking the memory every other query needs
        long txMemoryMb = Long.parseLong(System.getenv().getOrDefault("NEO4J_TX_MEMORY_MB", "512"));
        Files.createDirectories(dir);

        SocketAddress bolt = new SocketAddress("127.0.0.1", port);
        Neo4j neo4j = Neo4jBuilders.newInProcessBuilder(dir)
                .withDisabledServer() // no HTTP connector: Bolt only
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, bolt)
                .withConfig(BoltConnector.advertised_address, bolt)
                .withConfig(GraphDatabaseSettings.auth_enabled, !password.isEmpty())
                .withConfig(GraphDatabaseSettings.pagecache_memory, pageCacheMb * 1024 * 1024)
                .withConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                .withConfig(GraphDatabaseSettings.memory_transaction_max_size, txMemoryMb * 1024 * 1024)
                .build();
        if (!password.isEmpty()) {
            // embedded access to the system database needs no login: set the initial password
            neo4j.databaseManagementService()
                    .database("system")
                    .executeTransactionally(
                            "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                            Map.of("password", password));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    neo4j.close();
                                    stopped.countDown();
                                }));
        System.out.println(neo4j.boltURI());
        System.out.flush();
        stopped.await();
    }
}
