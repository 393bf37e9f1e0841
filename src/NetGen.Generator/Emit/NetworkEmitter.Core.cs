using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NetGen.Generator.Lowering;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>The core methods: one call per step (its math in a comment), the batch core, and the unrolled and vectorized layers' methods.</summary>
internal static partial class NetworkEmitter
{
    private static void WriteCore(SourceWriter w, NetworkPlan plan, CancellationToken cancellationToken)
    {
        w.Line("// Each step reads tensors written by earlier steps and writes a tensor no live one shares memory with.");
        w.Line("private static void ForwardCore(");
        w.Line($"    {ReadOnlySpan} input,");
        for (int i = 0; i < plan.Tensors.Count; i++)
        {
            w.Line($"    {Span} {Literals.Identifier(plan.Tensors[i].Name)}{(i == plan.Tensors.Count - 1 ? ")" : ",")}");
        }

        using (w.Block(string.Empty))
        {
            var sizes = Sizes(plan);
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

                if (step.Method.Length > 0)
                {
                    w.Line(LayerCall(w, plan, ref i, sizes, Literals.Identifier));
                    continue;
                }

                w.Lines(StepCall(step));
            }
        }

        w.Line();
    }

    /// <summary>
    /// The batch core: every layer over <c>count</c> samples at once, linear layers through the
    /// matrix-matrix kernel, with a following activation (any but leaky ReLU) fused into the kernel's store where its input
    /// is read by nothing else (no Cache here, so the pre-activation need not be kept).
    /// </summary>
    private static void WriteBatchCore(SourceWriter w, NetworkPlan plan, CancellationToken cancellationToken)
    {
        w.Line("// One block of samples: each tensor is a row-major [count, size] slice of scratch.");
        string scratchParameter = plan.ScratchLength > 0 ? $", {Span} scratch" : string.Empty;
        using (w.Block($"private static void ForwardBatchCore(int count, {ReadOnlySpan} input, {Span} output{scratchParameter})"))
        {
            foreach (var t in plan.Tensors)
            {
                string slice = t.ScratchOffset < 0 ? "output" : $"scratch.Slice({Literals.Int(t.ScratchOffset)} * count, {Literals.Int(t.Size)} * count)";
                w.Line($"{Span} {Literals.Identifier(t.Name)} = {slice};");
            }

            var sizes = Sizes(plan);
            for (int i = 0; i < plan.Steps.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var step = plan.Steps[i];
                w.Line();
                foreach (string comment in StepMath.Describe(step, sizes))
                {
                    w.Line("// " + comment);
                }

                string x = Literals.Identifier(step.Inputs[0]);
                string y = Literals.Identifier(step.Output);
                int n = sizes[step.Inputs[0]];
                int m = sizes[step.Output];
                if (step.Kind == StepKind.Linear && step.Strategy == LinearStrategy.Unrolled)
                {
                    // Unrolled layers are small: the same method as Forward's, once per sample.
                    string call = LayerCall(w, plan, ref i, sizes, name => $"{Literals.Identifier(name)}.Slice(row * {Literals.Int(sizes[name])}, {Literals.Int(sizes[name])})");
                    using (w.Block("for (int row = 0; row < count; row++)"))
                    {
                        w.Line(call);
                    }
                }
                else if (step.Kind == StepKind.Linear)
                {
                    // Kernel and vectorized layers alike: the vectorized loop sums in the kernels' order.
                    string epilogue = "None";
                    if (step.Fuses.HasFlag(Fusion.Batch))
                    {
                        var activation = plan.Steps[++i];
                        foreach (string comment in StepMath.Describe(activation, sizes))
                        {
                            w.Line("// " + comment);
                        }

                        epilogue = activation.Function!.Epilogue!;
                        y = Literals.Identifier(activation.Output);
                    }

                    w.Line($"{Runtime}.PackedLinear.ForwardBatch({Weight(step.Weights[0])}, {Weight(step.Weights[1])}, {x}, {y}, {Literals.Int(n)}, {Literals.Int(m)}, {Runtime}.Epilogue.{epilogue});");
                }
                else if (step.Function is { Elementwise: true } || step.Kind == StepKind.Add)
                {
                    // Element-wise ops whose result for an element does not depend on where it
                    // is (exact ones, and the runtime's activations in registers): one call over the whole block.
                    w.Line(StepCall(step));
                }
                else if (step.Kind is StepKind.Slice or StepKind.Mask or StepKind.ArgMax)
                {
                    // Row by row inside the runtime: one call over the block (per argmax group),
                    // each element with the same float operations as Forward's.
                    w.Lines(BlockCall(step, sizes));
                }
                else
                {
                    // Per sample: norms and softmax work along a row, and the vectorized
                    // transcendental functions round a vector's lanes and its scalar tail
                    // differently, so a row gives the same bits here as in Forward.
                    using (w.Block("for (int row = 0; row < count; row++)"))
                    {
                        string Row(string name) => $"{Literals.Identifier(name)}.Slice(row * {Literals.Int(sizes[name])}, {Literals.Int(sizes[name])})";
                        w.Lines(StepCall(step with { Inputs = step.Inputs.Select(Row).ToEquatableArray(), Output = Row(step.Output) }, raw: true));
                    }
                }
            }
        }

        w.Line();
    }

    /// <summary>
    /// The call of unrolled or vectorized linear step <paramref name="index"/>'s generated method,
    /// with <paramref name="tensor"/> spelling each argument. The activation fused into the
    /// method (<see cref="Fusion.Forward"/>) is computed there too: its comment is written and
    /// <paramref name="index"/> moves past it.
    /// </summary>
    private static string LayerCall(SourceWriter w, NetworkPlan plan, ref int index, Dictionary<string, int> sizes, Func<string, string> tensor)
    {
        var step = plan.Steps[index];
        string call = $"Layers.{step.Method}({tensor(step.Inputs[0])}, {tensor(step.Output)}";
        if (step.Fuses.HasFlag(Fusion.Forward))
        {
            var activation = plan.Steps[index + 1];
            foreach (string comment in StepMath.Describe(activation, sizes))
            {
                w.Line("// " + comment);
            }

            call += ", " + tensor(activation.Output);
            index++;
        }

        return call + ");";
    }

    /// <summary>
    /// The generated methods of the unrolled and vectorized layers, in a nested class: straight-line
    /// scalar code with the weights as literals, or SIMD loops over the packed weights.
    /// </summary>
    private static void WriteLayers(SourceWriter w, NetworkPlan plan, CancellationToken cancellationToken)
    {
        var indices = Enumerable.Range(0, plan.Steps.Count).Where(i => plan.Steps[i].Method.Length > 0).ToList();
        if (indices.Count == 0)
        {
            return;
        }

        var weights = plan.Weights.ToDictionary(x => x.Name);
        if (indices.Any(i => plan.Steps[i].Strategy == LinearStrategy.Unrolled))
        {
            w.Line($"// Unrolled layers: each output is a sum over the inputs with the weights as literals; sums are float32 chains of at most {Contract.BlockLength} products (longer rows add their chains in double).");
        }

        if (indices.Any(i => plan.Steps[i].Strategy == LinearStrategy.Vectorized))
        {
            w.Line($"// Vectorized layers: SIMD loops over the weights packed in panels of {Packing.PanelWidth} rows, summed as the runtime's kernels sum.");
        }

        using (w.Block("private static class Layers"))
        {
            for (int n = 0; n < indices.Count; n++)
            {
                if (n > 0)
                {
                    w.Line();
                }

                var step = plan.Steps[indices[n]];
                var fused = step.Fuses.HasFlag(Fusion.Forward) ? plan.Steps[indices[n] + 1] : null;
                if (step.Strategy == LinearStrategy.Vectorized)
                {
                    VectorizedEmitter.WriteLayer(w, step, fused, weights);
                }
                else
                {
                    UnrolledEmitter.WriteLayer(w, step, fused, weights, cancellationToken);
                }
            }
        }

        w.Line();
    }

    /// <summary>An argmax step's choice of the last of equal values, as its calls' last argument (none for the first).</summary>
    private static string Last(StepPlan step) => step.Scalar != 0 ? ", last: true" : string.Empty;

    /// <summary>A slice, mask or argmax step over a block of rows (an argmax of several groups writes one line each).</summary>
    private static string BlockCall(StepPlan step, Dictionary<string, int> sizes)
    {
        string x = Literals.Identifier(step.Inputs[0]), y = Literals.Identifier(step.Output);
        string n = Literals.Int(sizes[step.Inputs[0]]), m = Literals.Int(sizes[step.Output]);
        return step.Kind switch
        {
            StepKind.Slice => $"{Runtime}.Elementwise.SliceRows({x}, {y}, {n}, {Literals.Int((long)step.Scalar)}, {m});",
            StepKind.Mask => $"{Runtime}.Elementwise.MaskRows({x}, {Literals.Identifier(step.Inputs[1])}, {y}, {m}, {Literals.Int(sizes[step.Inputs[1]])}, {Literals.Int((long)step.Arguments[0])}, {Literals.Float((float)step.Scalar)});",
            _ => string.Join("\n", StepMath.Groups(step.Arguments).Select((g, i) => $"{Runtime}.Elementwise.ArgMaxRows({x}, {y}, {n}, {Literals.Int(g.Start)}, {Literals.Int(g.Size)}, {m}, {Literals.Int(i)}{Last(step)});")),
        };
    }

    /// <summary>The statements of a step (an argmax of several groups writes one line each).</summary>
    /// <param name="raw">Inputs and output are expressions to use as they are, not tensor names.</param>
    private static string StepCall(StepPlan step, bool raw = false)
    {
        string x = raw ? step.Inputs[0] : Literals.Identifier(step.Inputs[0]);
        string y = raw ? step.Output : Literals.Identifier(step.Output);
        string x2 = step.Inputs.Count < 2 ? string.Empty : raw ? step.Inputs[1] : Literals.Identifier(step.Inputs[1]);
        return step.Kind switch
        {
            StepKind.Linear => $"{Runtime}.PackedLinear.Forward({Weight(step.Weights[0])}, {Weight(step.Weights[1])}, {x}, {y});",
            StepKind.Activation => step.Function!.Span(x, y, step.Arguments.Select(a => Literals.Float(a)).ToArray()) + ";",
            StepKind.LayerNorm => $"{Runtime}.Normalization.LayerNorm({x}, {y}, {Weight(step.Weights[0])}, {Weight(step.Weights[1])}, {Literals.Double(step.Scalar)});",
            StepKind.RmsNorm => $"{Runtime}.Normalization.RmsNorm({x}, {y}, {Weight(step.Weights[0])}, {Literals.Double(step.Scalar)});",
            StepKind.BatchNorm or StepKind.Affine => $"{Runtime}.Normalization.BatchNorm({x}, {y}, {Weight(step.Weights[0])}, {Weight(step.Weights[1])});",
            StepKind.Slice => $"{Runtime}.Elementwise.Copy({x}.Slice({Literals.Int((long)step.Scalar)}, {y}.Length), {y});",
            StepKind.Mask => $"{Runtime}.Elementwise.Mask({x}, {x2}.Slice({Literals.Int((long)step.Arguments[0])}, {y}.Length), {y}, {Literals.Float((float)step.Scalar)});",
            StepKind.ArgMax when step.Arguments.Count == 1 => $"{y}[0] = {Runtime}.Elementwise.ArgMax({x}{Last(step)});",
            StepKind.ArgMax => string.Join("\n", StepMath.Groups(step.Arguments).Select((g, i) => $"{y}[{Literals.Int(i)}] = {Runtime}.Elementwise.ArgMax({x}.Slice({Literals.Int(g.Start)}, {Literals.Int(g.Size)}){Last(step)});")),
            StepKind.Add => $"{Runtime}.Elementwise.Add({x}, {x2}, {y});",
            _ => $"{Runtime}.Elementwise.SwiGluGate({x}, {x2}, {y});",
        };
    }
}
