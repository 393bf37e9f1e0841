using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NetGen.Generator.Lowering;

namespace NetGen.Generator.Emit;

/// <summary>
/// The forward pass of a tiny, fully unrolled network with every tensor in locals
/// (<see cref="NetworkPlan.InLocals"/>): straight-line code that reads the input once, keeps each
/// value in a local the JIT holds in a register, and stores only the output.
/// </summary>
/// <remarks>
/// Each value is computed by the same expression as in the unrolled layers' methods (the inputs
/// widened to double, one rounding to float per output, the activation's one-value form), so
/// the outputs have the bits of <c>Forward(..., ref cache)</c>, which stores every tensor.
/// </remarks>
internal static partial class NetworkEmitter
{
    private static void WriteLocalsCore(SourceWriter w, NetworkPlan plan, CancellationToken cancellationToken)
    {
        var sizes = Sizes(plan);
        var weights = plan.Weights.ToDictionary(x => x.Name);
        string Element(string tensor, int i) => tensor == NetworkPlan.Input ? $"input[{i}]" : $"{Literals.Identifier(tensor)}_{i}";

        w.Line("// Every tensor in locals, which the JIT keeps in registers: only the output is stored.");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        using (w.Block($"private static void ForwardInLocals({ReadOnlySpan} input, {Span} output)"))
        {
            for (int i = 0; i < plan.Steps.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var step = plan.Steps[i];
                if (i > 0)
                {
                    w.Line();
                }

                foreach (string comment in StepMath.Describe(step, sizes))
                {
                    w.Line("// " + comment);
                }

                string x = step.Inputs[0];
                StepPlan? activation = null;
                if (step.Fuses.HasFlag(Fusion.Forward))
                {
                    activation = plan.Steps[++i];
                    foreach (string comment in StepMath.Describe(activation, sizes))
                    {
                        w.Line("// " + comment);
                    }
                }

                var weight = weights[step.Weights[0]];
                var bias = step.Weights[1].Length > 0 ? weights[step.Weights[1]] : null;
                int rows = weight.Shape[0];
                Declare(w, Enumerable.Range(0, rows).Select(r => Element(step.Output, r)));
                if (activation is not null)
                {
                    Declare(w, Enumerable.Range(0, rows).Select(r => Element(activation.Output, r)));
                }

                // A block per layer, so that its inputs' copies (x0, x1, ...) go out of scope.
                using (w.Block(string.Empty))
                {
                    string z = step.Output, a = activation?.Output ?? string.Empty;
                    UnrolledEmitter.WriteRows(w, weight, bias, activation, 0, rows, k => Element(x, k), r => Element(z, r), r => Element(a, r), cancellationToken);
                }
            }

            w.Line();
            string output = plan.OutputTensor;
            for (int r = sizes[output] - 1; r >= 0; r--)
            {
                // The last element first: one bounds check covers the others.
                w.Line($"output[{r}] = {Element(output, r)};");
            }
        }

        w.Line();
    }

    /// <summary>Float locals, eight to a declaration.</summary>
    private static void Declare(SourceWriter w, IEnumerable<string> declarators)
    {
        var list = declarators.ToList();
        for (int i = 0; i < list.Count; i += 8)
        {
            w.Line("float " + string.Join(", ", list.Skip(i).Take(8)) + ";");
        }
    }
}
