/**
 * A FIFO at any path parsd reads never blocks it: its own files in the data
 * dir (the verification cache, an old warm-start record) are ignored, and an
 * input the user names (a checksum file, a certificate) is refused with its
 * path and a documented code. In process; each run is guarded, so that a
 * blocking open fails the test instead of stalling the suite.
 */
import assert from "node:assert/strict";
import { join } from "../../../lib/os/path.ts";
import { fifoTestName, makeFifos, withFifoRescue } from "../../fifo.ts";
import { withInProcessNode } from "./kit.ts";

Deno.test(
  fifoTestName("doctor and run ignore a FIFO verify-cache.json or warm-start.json"),
  async () => {
    await withInProcessNode(async (n) => {
      await n.pin();
      const baseline = { doctor: n.fake(), run: n.fake() };
      const codes = {
        doctor: await baseline.doctor.run(["doctor"]),
        run: await baseline.run.run([]),
      };
      const fifos = ["verify-cache.json", "warm-start.json"].map((f) => join(n.dataDir, f));
      for (const f of fifos) await Deno.remove(f).catch(() => {});
      makeFifos(...fifos);
      for (const [argv, want] of [[["doctor"], codes.doctor], [[], codes.run]] as const) {
        const f = n.fake();
        assert.equal(await withFifoRescue(fifos, () => f.run(argv)), want, f.err() + f.out());
        assert.doesNotMatch(f.err() + f.out(), /verify-cache|warm-start|FIFO|unexpected/);
      }
      assert.ok(Deno.lstatSync(fifos[1]!).isFifo, "warm-start.json is left as it was");
    });
  },
);

Deno.test(fifoTestName("plugins pin --from a FIFO is 66, naming it"), async () => {
  await withInProcessNode(async (n) => {
    const sums = join(n.root, "SHA256SUMS");
    makeFifos(sums);
    const f = n.fake();
    assert.equal(await withFifoRescue([sums], () => f.run(["plugins", "pin", "--from", sums])), 66);
    assert.match(
      f.err(),
      /^parsd: error: checksum file .*SHA256SUMS: is a FIFO, not a regular file; /,
    );
    assert.equal(f.err().split("\n").length, 2, "one line");
  });
});

Deno.test(fifoTestName("node-id of a FIFO is 78, naming it"), async () => {
  await withInProcessNode(async (n) => {
    const cert = join(n.root, "staker.crt");
    makeFifos(cert);
    const f = n.fake();
    assert.equal(await withFifoRescue([cert], () => f.run(["node-id", cert])), 78);
    assert.equal(
      f.err(),
      `parsd: error: certificate ${cert}: is a FIFO, not a regular file; give a PEM staking certificate\n`,
    );
  });
});
