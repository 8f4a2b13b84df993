import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs real Helm (helm-java: Helm's Go library through JNA) for helm-check.mjs, several cases in
 * one JVM (starting one and loading Helm costs seconds on a busy machine).
 *
 * Arguments, four per case: name, chart to template, values file to template it with ("-" for the
 * chart's own), chart to lint (a copy whose values.yaml already merges the case's values, since
 * helm-java's lint takes no values file). Writes name.yaml (the rendered manifests) and
 * name.lint.txt (first line PASSED or FAILED, then Helm's messages) into the output directory.
 */
public class HelmRunner {
  static final String KUBE_VERSION = "1.31.0";

  public static void main(String[] args) throws Exception {
    if (args.length < 5 || (args.length - 1) % 4 != 0) {
      System.err.println("usage: HelmRunner <out-dir> (<case> <chart> <values|-> <lint-chart>)...");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    int failures = 0;
    for (int i = 1; i < args.length; i += 4) {
      String name = args[i];
      Path chart = Path.of(args[i + 1]);
      String values = args[i + 2];
      Path lintChart = Path.of(args[i + 3]);
      try {
        // As `helm install` would against a 1.31 cluster (template alone assumes 1.20, which the
        // chart's kubeVersion refuses).
        var template =
            new Helm(chart)
                .template()
                .withName("sb")
                .withNamespace("switchboard")
                .withKubeVersion(KUBE_VERSION);
        if (!values.equals("-")) template = template.withValuesFile(Path.of(values));
        Files.writeString(out.resolve(name + ".yaml"), template.call());
      } catch (Exception error) {
        failures++;
        Files.writeString(out.resolve(name + ".yaml.error"), String.valueOf(error.getMessage()));
      }
      LintResult lint = new Helm(lintChart).lint().strict().call();
      StringBuilder report = new StringBuilder(lint.isFailed() ? "FAILED\n" : "PASSED\n");
      for (String message : lint.getMessages()) report.append(message).append('\n');
      Files.writeString(out.resolve(name + ".lint.txt"), report.toString());
    }
    System.exit(failures == 0 ? 0 : 1);
  }
}
