using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using NetGen.Generator.Checking;
using NetGen.Generator.Model;

namespace NetGen.Generator.Lowering;

/// <summary>
/// Lowers a checked description to a <see cref="NetworkPlan"/>: one step per kernel call,
/// build-time constants folded (batch_norm's scale), and a scratch layout in which a tensor's
/// memory is reused once no later step reads it.
/// </summary>
internal sealed class NetworkPlanner
{
    private readonly List<TensorPlan> _tensors = new();
    private readonly List<WeightPlan> _weights = new();
    private readonly List<StepPlan> _steps = new();
    private readonly List<SummaryRow> _summary = new();
    private readonly CancellationToken _cancellationToken;
    private readonly NetworkStrategy _strategy;
    private long _parameters;

    private NetworkPlanner(NetworkStrategy strategy, CancellationToken cancellationToken)
    {
        _strategy = strategy;
        _cancellationToken = cancellationToken;
    }

    /// <summary>
    /// The most multiply-adds a linear layer may have to be unrolled under
    /// <see cref="NetworkStrategy.Auto"/>; larger layers get vectorized loops. Measured with the
    /// benchmarks' <c>UnrollThresholdBenchmarks</c> (one layer, both strategies, AVX-512): the
    /// unrolled layer is 1.35× as fast at 16 multiply-adds and 1.13× at 32; the vectorized loop
    /// is 1.13× as fast at 64, 1.56× at 128 and 3.3× at 256. 48 sits between the last size where
    /// unrolling wins and the first where it loses.
    /// </summary>
    public const int UnrollLimit = 48;

    /// <summary>
    /// The strategy for a linear step of <paramref name="multiplyAdds"/> under a network-wide
    /// choice. Under <see cref="NetworkStrategy.Auto"/>, a layer too large to unroll gets a
    /// vectorized loop at every size: measured against the kernel call on the same packed weights,
    /// the loop is as fast or faster from the digits model's layers (2,048 multiply-adds) to N3's
    /// (1,048,576), because its sizes are constants and it skips the call's argument checks.
    /// A step whose weights come from a file (<paramref name="external"/>) always calls the
    /// kernels: there are no values to unroll or pack at build time.
    /// </summary>
    public static LinearStrategy Choose(NetworkStrategy strategy, long multiplyAdds, bool external) => external ? LinearStrategy.Kernel : strategy switch
    {
        NetworkStrategy.Unrolled => LinearStrategy.Unrolled,
        NetworkStrategy.Kernel => LinearStrategy.Kernel,
        NetworkStrategy.Vectorized => LinearStrategy.Vectorized,
        _ => multiplyAdds <= UnrollLimit ? LinearStrategy.Unrolled : LinearStrategy.Vectorized,
    };

    /// <summary>Plans a description that <see cref="NetworkChecker"/> accepted.</summary>
    public static NetworkPlan Plan(NetworkSpec spec, CancellationToken cancellationToken)
    {
        var planner = new NetworkPlanner(spec.Strategy, cancellationToken);
        var (output, outputSize) = planner.PlanLayers(spec.Layers, NetworkPlan.Input, spec.InputSize, parentIndex: null, parentStage: null);
        var tensors = planner.LayOutScratch(output, out int scratchLength);
        return new NetworkPlan(
            Path.GetFileName(spec.FilePath),
            spec.Description,
            spec.InputSize,
            outputSize,
            output,
            planner._parameters,
            tensors.ToEquatableArray(),
            planner._weights.ToEquatableArray(),
            planner._steps.ToEquatableArray(),
            scratchLength,
            planner._summary.ToEquatableArray(),
            spec.Gpu,
            spec.GpuMinWeights);
    }

    private (string Output, int Size) PlanLayers(EquatableArray<LayerSpec> layers, string input, int size, string? parentIndex, string? parentStage)
    {
        string[] stages = TensorNames.Stages(layers, parentStage);
        for (int i = 0; i < layers.Count; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            (input, size) = PlanLayer(layers[i], input, size, TensorNames.Index(parentIndex, i + 1), stages[i]);
        }

        return (input, size);
    }

    /// <param name="index">The layer's number in the description ("3", "3.2"), for comments.</param>
    /// <param name="path">Its stage label ("3", "3_2", "3b"), for names.</param>
    private (string Output, int Size) PlanLayer(LayerSpec layer, string input, int size, string index, string path)
    {
        string output = TensorNames.Output(layer, path);
        string where = "layer " + index;
        switch (layer)
        {
            case LinearSpec linear:
            {
                string z = linear.Activation is null ? output : TensorNames.PreActivation(linear, path);
                string w = AddWeight("W" + path, linear.Weight, $"weight of {where} (linear {size} → {linear.Out}), [out, in] row-major");
                string b = linear.Bias is null ? string.Empty : AddWeight("B" + path, linear.Bias, $"bias of {where}");
                long parameters = linear.Weight.ElementCount + (linear.Bias?.ElementCount ?? 0);
                AddTensor(z, linear.Out, linear.Activation is null ? $"Output of {where} (linear {size} → {linear.Out})." : $"Output of {where} (linear {size} → {linear.Out}) before its activation.");
                AddLinear(input, z, w, b, (long)linear.Out * size, index, linear.Gpu);
                _summary.Add(new SummaryRow(z, "linear", linear.Out, parameters, (long)linear.Out * size));
                _parameters += parameters;
                if (linear.Activation is not null)
                {
                    PlanActivation(linear.Activation, z, output, linear.Out, index, $"Output of {where}'s {LayerOpNames.Of(linear.Activation.Op)} activation.");
                }

                return (output, linear.Out);
            }

            case ActivationSpec activation:
                PlanActivation(activation, input, output, size, index, $"Output of {where} ({LayerOpNames.Of(activation.Op)}).");
                return (output, size);

            case NormSpec norm:
                return (PlanNorm(norm, input, output, size, index, path), size);

            case ResidualSpec residual:
            {
                var (inner, _) = PlanLayers(residual.Layers, input, size, index, path);
                AddTensor(output, size, $"Output of {where} (residual): its input plus its inner layers' output.");
                AddStep(StepKind.Add, new[] { input, inner }, output, Array.Empty<string>(), 0, index);
                _summary.Add(new SummaryRow(output, "residual", size, 0, 0));
                return (output, size);
            }

            case SwiGluSpec swiglu:
            {
                int hidden = swiglu.Hidden;
                int outSize = swiglu.Out ?? size;
                string gate = TensorNames.SwiGluGate(output), up = TensorNames.SwiGluUp(output), h = TensorNames.SwiGluHidden(output);
                string wg = AddWeight("Gate" + path, swiglu.Gate, $"gate weight of {where} (swiglu), [hidden, in] row-major");
                string wu = AddWeight("Up" + path, swiglu.Up, $"up weight of {where} (swiglu), [hidden, in] row-major");
                string wd = AddWeight("Down" + path, swiglu.Down, $"down weight of {where} (swiglu), [out, hidden] row-major");
                AddTensor(gate, hidden, $"gate·x of {where} (swiglu).");
                AddTensor(up, hidden, $"up·x of {where} (swiglu).");
                AddTensor(h, hidden, $"silu(gate·x) ⊙ up·x of {where} (swiglu).");
                AddTensor(output, outSize, $"Output of {where} (swiglu {size} → {hidden} → {outSize}).");
                AddLinear(input, gate, wg, string.Empty, (long)hidden * size, index, swiglu.Gpu);
                AddLinear(input, up, wu, string.Empty, (long)hidden * size, index, swiglu.Gpu);
                AddStep(StepKind.SwiGluGate, new[] { gate, up }, h, Array.Empty<string>(), 0, index);
                AddLinear(h, output, wd, string.Empty, (long)outSize * hidden, index, swiglu.Gpu);
                long parameters = swiglu.Gate.ElementCount + (long)swiglu.Up.ElementCount + swiglu.Down.ElementCount;
                _summary.Add(new SummaryRow(output, "swiglu", outSize, parameters, (2L * hidden * size) + hidden + ((long)outSize * hidden)));
                _parameters += parameters;
                return (output, outSize);
            }

            default:
                throw new InvalidOperationException("Every layer record is handled above.");
        }
    }

    private void PlanActivation(ActivationSpec activation, string input, string output, int size, string index, string summary)
    {
        StepKind kind = activation.Op switch
        {
            LayerOp.Identity => StepKind.Copy,
            LayerOp.Relu => StepKind.Relu,
            LayerOp.LeakyRelu => StepKind.LeakyRelu,
            LayerOp.Gelu => activation.TanhApproximation ? StepKind.GeluTanh : StepKind.Gelu,
            LayerOp.Silu => StepKind.Silu,
            LayerOp.Sigmoid => StepKind.Sigmoid,
            LayerOp.Tanh => StepKind.Tanh,
            LayerOp.Softmax => StepKind.Softmax,
            _ => StepKind.LogSoftmax,
        };

        AddTensor(output, size, summary);
        AddStep(kind, new[] { input }, output, Array.Empty<string>(), activation.Alpha, index);
        _summary.Add(new SummaryRow(output, LayerOpNames.Of(activation.Op), size, 0, 0));
    }

    private string PlanNorm(NormSpec norm, string input, string output, int size, string index, string path)
    {
        string where = $"layer {index} ({LayerOpNames.Of(norm.Op)})";
        string weight = norm.Weight is null ? string.Empty : AddWeight("Gamma" + path, norm.Weight, "weight (γ) of " + where);
        string bias = norm.Bias is null ? string.Empty : AddWeight("Beta" + path, norm.Bias, "bias (β) of " + where);
        long parameters = (norm.Weight?.ElementCount ?? 0) + (norm.Bias?.ElementCount ?? 0);
        AddTensor(output, size, $"Output of {where}.");
        switch (norm.Op)
        {
            case LayerOp.LayerNorm:
                AddStep(StepKind.LayerNorm, new[] { input }, output, new[] { weight, bias }, norm.Epsilon, index);
                break;
            case LayerOp.RmsNorm:
                AddStep(StepKind.RmsNorm, new[] { input }, output, new[] { weight }, norm.Epsilon, index);
                break;
            default:
            {
                // Folded at build time, in double: scale = γ / √(running_var + ε); shift = β.
                var mean = norm.RunningMean!;
                var variance = norm.RunningVar!;
                var scale = new float[size];
                var shift = new float[size];
                for (int i = 0; i < size; i++)
                {
                    double gamma = norm.Weight is null ? 1.0 : norm.Weight.Values[i];
                    scale[i] = (float)(gamma / Math.Sqrt(variance.Values[i] + norm.Epsilon));
                    shift[i] = norm.Bias is null ? 0f : norm.Bias.Values[i];
                }

                string m = AddWeight("Mean" + path, mean, "running mean (μ) of " + where);
                string s = AddWeight("Scale" + path, new TensorSpec(mean.Shape, new EquatableArray<float>(scale), mean.Range), $"γ / √(running_var + ε) of {where}, folded at build time");
                string t = AddWeight("Shift" + path, new TensorSpec(mean.Shape, new EquatableArray<float>(shift), mean.Range), "β of " + where);
                AddStep(StepKind.BatchNorm, new[] { input }, output, new[] { m, s, t }, norm.Epsilon, index);
                break;
            }
        }

        _summary.Add(new SummaryRow(output, LayerOpNames.Of(norm.Op), size, parameters, 0));
        _parameters += parameters;
        return output;
    }

    private string AddWeight(string name, TensorSpec tensor, string summary)
    {
        _weights.Add(new WeightPlan(name, tensor.Shape, tensor.Values, summary, tensor.External));
        return name;
    }

    private void AddTensor(string name, int size, string summary) => _tensors.Add(new TensorPlan(name, size, -1, summary));

    private void AddLinear(string input, string output, string weight, string bias, long multiplyAdds, string index, bool? gpu) =>
        _steps.Add(new StepPlan(
            StepKind.Linear,
            new EquatableArray<string>(new[] { input }),
            output,
            new EquatableArray<string>(new[] { weight, bias }),
            0,
            index,
            Choose(_strategy, multiplyAdds, _weights.Any(w => (w.Name == weight || w.Name == bias) && w.External is not null)),
            gpu));

    private void AddStep(StepKind kind, string[] inputs, string output, string[] weights, double scalar, string path) =>
        _steps.Add(new StepPlan(kind, new EquatableArray<string>(inputs), output, new EquatableArray<string>(weights), scalar, path));

    /// <summary>
    /// Places every tensor but the network's output in one scratch array, first fit, reusing
    /// the memory of tensors no later step reads. A step's output never shares memory with
    /// its own inputs, because those are still live while it runs.
    /// </summary>
    private List<TensorPlan> LayOutScratch(string networkOutput, out int scratchLength)
    {
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int s = 0; s < _steps.Count; s++)
        {
            foreach (string input in _steps[s].Inputs)
            {
                lastUse[input] = s;
            }

            // An activation that reads a linear step's output may be fused into that step (the
            // unrolled methods and the batch kernels' epilogue compute both at once), so the
            // linear step's inputs stay live until the activation has been written too.
            if (s > 0 && _steps[s - 1].Kind == StepKind.Linear && _steps[s].Inputs.Contains(_steps[s - 1].Output))
            {
                foreach (string input in _steps[s - 1].Inputs)
                {
                    lastUse[input] = s;
                }
            }
        }

        var sizes = _tensors.ToDictionary(t => t.Name, t => t.Size, StringComparer.Ordinal);
        var offsets = new Dictionary<string, int>(StringComparer.Ordinal);
        var live = new List<(string Name, int Offset, int Size)>();
        scratchLength = 0;
        for (int s = 0; s < _steps.Count; s++)
        {
            live.RemoveAll(t => !lastUse.TryGetValue(t.Name, out int last) || last < s);
            string output = _steps[s].Output;
            if (output == networkOutput)
            {
                continue;
            }

            int size = sizes[output];
            int offset = 0;
            foreach (var t in live.OrderBy(t => t.Offset))
            {
                if (t.Offset - offset >= size)
                {
                    break;
                }

                offset = Math.Max(offset, t.Offset + t.Size);
            }

            offsets[output] = offset;
            live.Add((output, offset, size));
            scratchLength = Math.Max(scratchLength, offset + size);
        }

        return _tensors.Select(t => t with { ScratchOffset = offsets.TryGetValue(t.Name, out int o) ? o : -1 }).ToList();
    }
}
