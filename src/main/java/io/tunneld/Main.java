package io.tunneld;

import java.util.Arrays;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.tunneld.client.ClientCommand;

/**
 * The one entry point of the artifact: {@code client ...} runs the ngrok 1.x-compatible
 * client, without booting Quarkus (no server bean, no port); anything else runs the server.
 */
@QuarkusMain
public final class Main {

    public static void main(String... args) {
        if (args.length > 0 && args[0].equals("client")) {
            int status = ClientCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out,
                    System.err);
            System.exit(status);
        }
        Quarkus.run(args);
    }
}
