using System;
using System.Linq;
using NetGen.Tests.EndToEnd;
using NetGen.Tests.Harness;
using NetGen.Tests.Reference;
using NetGen.Training;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>The trainable Model's contract (spec/training.md): its buffer and names, its checks, NaN, its description, and no allocation.</summary>
public sealed class ModelTests
{
    [Fact]
    public void A_model_starts_from_the_description_s_weights_in_one_buffer_in_name_order()
    {
        var model = new TrainableBlock.Model();
        Assert.Equal(TrainableBlock.ParameterCount, model.Parameters.Length);
        Assert.Equal(model.Parameters.Length, model.Gradients.Length);
        var reference = new ReferenceGradients(Fixtures.Network("block.netgen.json"));
        var expected = reference.Parameters();
        Assert.Equal(expected.Select(p => p.Name), model.ParameterNames);
        Assert.Equal(expected.SelectMany(p => p.Values).Select(v => (float)v), model.Parameters.ToArray());
        Assert.Equal(new[] { 1f, 0.9f, 1.1f, 1f, 0.8f, 1.2f }, model.Parameter("1.0.weight").ToArray());

        // The names of the format's example: no biases, the activation shorthand has no number of its own.
        Assert.Equal(new[] { "0.weight", "1.weight", "2.weight" }, new TrainableLesson.Model().ParameterNames);
    }

    [Fact]
    public void The_attribute_form_trains_and_writes_its_description_back_out()
    {
        var model = new TrainableAttributes.Model();
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, model.ParameterNames);
        var cache = new TrainableAttributes.BatchCache(maxRows: 1);
        float[] y = new float[1];
        model.ForwardBatch(new float[] { 1, 1 }, y, cache);
        Assert.Equal(1f, y[0]);

        // y = relu'(hidden) · ...: hidden = [2, 0]; leaky ReLU gives [2, 0] (the gradient at 0 is alpha); y = 2 + 0 − 1.
        model.BackwardBatch(cache, new[] { 1f }, Span<float>.Empty);
        Assert.Equal(new[] { 1f, 1f, 0.2f, 0.2f }, model.Gradient("0.weight").ToArray());
        Assert.Equal(new[] { 2f, 0f }, model.Gradient("2.weight").ToArray());
        string description = model.ToDescription();
        Assert.Contains("\"op\": \"leaky_relu\"", description);
        Assert.Contains("\"alpha\": 0.2", description);
        Assert.Contains("\"name\": \"hidden\"", description);
    }

    [Fact]
    public void Parameter_and_Gradient_are_views_of_the_buffers()
    {
        var model = new TrainableLesson.Model();
        model.Parameter("2.weight")[1] = 5f;
        Assert.Equal(5f, model.Parameters[13]);
        model.Gradients[6] = 3f;
        Assert.Equal(3f, model.Gradient("1.weight")[0]);
        model.ZeroGradients();
        Assert.Equal(0f, model.Gradient("1.weight")[0]);
    }

    [Fact]
    public void An_unknown_parameter_name_lists_the_names()
    {
        var model = new TrainableLesson.Model();
        var e = Assert.Throws<ArgumentException>(() => model.Parameter("0.bias"));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("0.weight, 1.weight, 2.weight", e.Message);
        Assert.Contains("'0.bias'", e.Message);
        Assert.Throws<ArgumentException>(() => model.Gradient("weight"));
    }

    [Fact]
    public void The_model_s_forward_pass_is_the_static_network_s_within_the_format_s_bound()
    {
        var model = new TrainableDigits.Model();
        var cache = new TrainableDigits.BatchCache(maxRows: 32);
        var random = new Random(3);
        float[] inputs = Enumerable.Range(0, 20 * TrainableDigits.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
        float[] trained = new float[20 * TrainableDigits.OutputSize];
        float[] fixedNetwork = new float[trained.Length];
        model.ForwardBatch(inputs, trained, cache);
        TrainableDigits.ForwardBatch(inputs, fixedNetwork);
        Accuracy.Compare(fixedNetwork.Select(v => (double)v).ToArray(), trained, "digits");
        Assert.Equal(20, cache.Rows);
        Assert.Equal(32, cache.MaxRows);
    }

    [Fact]
    public void Wrong_lengths_and_too_many_rows_are_argument_exceptions_that_name_what_was_expected()
    {
        var model = new TrainableLesson.Model();
        var cache = new TrainableLesson.BatchCache(maxRows: 2);
        var e = Assert.Throws<ArgumentException>(() => model.ForwardBatch(new float[3], new float[1], cache));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("multiple of the input size 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.ForwardBatch(new float[4], new float[1], cache));
        Assert.Equal("outputs", e.ParamName);
        Assert.Contains("Expected outputs to have length 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.ForwardBatch(new float[6], new float[3], cache));
        Assert.Contains("Expected at most 2 rows, the cache's maxRows, but inputs has 3", e.Message);
        Assert.Throws<ArgumentNullException>(() => model.ForwardBatch(new float[2], new float[1], null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainableLesson.BatchCache(0));

        model.ForwardBatch(new float[4], new float[2], cache);
        e = Assert.Throws<ArgumentException>(() => model.BackwardBatch(cache, new float[1], Span<float>.Empty));
        Assert.Equal("outputGradients", e.ParamName);
        Assert.Contains("Expected outputGradients to have length 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.BackwardBatch(cache, new float[2], new float[2]));
        Assert.Equal("inputGradients", e.ParamName);
        Assert.Contains("Expected inputGradients to have length 4", e.Message);
    }

    [Fact]
    public void A_cache_no_forward_pass_filled_or_filled_by_another_model_is_refused()
    {
        var model = new TrainableLesson.Model();
        var other = new TrainableLesson.Model();
        var cache = new TrainableLesson.BatchCache(maxRows: 4);
        var e = Assert.Throws<ArgumentException>(() => model.BackwardBatch(cache, new float[1], Span<float>.Empty));
        Assert.Equal("cache", e.ParamName);
        Assert.Contains("it holds no batch", e.Message);

        other.ForwardBatch(new float[2], new float[1], cache);
        e = Assert.Throws<ArgumentException>(() => model.BackwardBatch(cache, new float[1], Span<float>.Empty));
        Assert.Contains("another model filled it", e.Message);

        // A forward pass refused for its arguments loses nothing: the cache keeps the last batch.
        model.ForwardBatch(new float[2], new float[1], cache);
        Assert.Throws<ArgumentException>(() => model.ForwardBatch(new float[3], new float[1], cache));
        model.BackwardBatch(cache, new float[1], Span<float>.Empty);
        Assert.Equal(1, cache.Rows);
    }

    [Fact]
    public void A_NaN_output_gradient_reaches_the_gradients_it_touches_and_clipping_reports_it_and_leaves_them()
    {
        var model = new TrainableLesson.Model();
        var cache = new TrainableLesson.BatchCache(maxRows: 1);
        float[] output = new float[1];
        model.ForwardBatch(new float[] { 3, 1 }, output, cache);
        model.BackwardBatch(cache, new[] { float.NaN }, Span<float>.Empty);
        Assert.True(float.IsNaN(model.Gradient("2.weight")[0]));
        float[] before = model.Gradients.ToArray();
        Assert.True(float.IsNaN(Clip.GradientNorm(model.Gradients, 1f)));
        Assert.Equal(before, model.Gradients.ToArray());

        // An optimizer does not skip it: the parameter becomes NaN, as in PyTorch.
        new Sgd(0.1f).Step(model.Parameters, model.Gradients);
        Assert.True(float.IsNaN(model.Parameter("2.weight")[0]));
    }

    [Fact]
    public void ToDescription_writes_the_trained_weights_as_a_description_that_compiles_back_into_a_fixed_network()
    {
        var model = new TrainableBlock.Model();
        var cache = new TrainableBlock.BatchCache(maxRows: 8);
        var random = new Random(5);
        float[] x = Enumerable.Range(0, 8 * TrainableBlock.InputSize).Select(_ => (float)((random.NextDouble() * 6) - 3)).ToArray();
        float[] y = new float[8 * TrainableBlock.OutputSize];
        float[] dy = new float[y.Length];
        var adam = new Adam(learningRate: 0.01f);
        for (int step = 0; step < 5; step++)
        {
            model.ForwardBatch(x, y, cache);
            Loss.MeanSquaredError(y, new float[y.Length], dy);
            model.ZeroGradients();
            model.BackwardBatch(cache, dy, Span<float>.Empty);
            adam.Step(model.Parameters, model.Gradients);
        }

        model.ForwardBatch(x, y, cache);
        string description = model.ToDescription();
        Assert.Contains("\"format\": \"netgen/1\"", description);
        Assert.Contains("\"name\": \"attn_like\"", description);

        // The float64 reference reads it as the trained network ...
        var reference = new ReferenceNetwork(description);
        for (int r = 0; r < 8; r++)
        {
            Accuracy.Compare(reference.Evaluate(x.AsSpan(r * TrainableBlock.InputSize, TrainableBlock.InputSize), new()), y.AsSpan(r * TrainableBlock.OutputSize, TrainableBlock.OutputSize).ToArray(), "reference of the description, row " + r);
        }

        // ... and the generator compiles it into a fixed network that computes it.
        var compiled = CompiledNetworks.Compile(new[] { description });
        float[] frozen = new float[y.Length];
        compiled[0].ForwardBatch(x, frozen);
        Accuracy.Compare(y.Select(v => (double)v).ToArray(), frozen, "the frozen network");
        Assert.NotEqual(new TrainableBlock.Model().Parameters.ToArray(), model.Parameters.ToArray());
    }

    [Fact]
    public void ToDescription_keeps_the_input_parts_the_constants_and_the_affine_constants()
    {
        const string json = """
            { "format": "netgen/1", "input": 3, "layers": [
              { "op": "affine", "scale": 0.5, "shift": [1, 2, 3] },
              { "op": "linear", "out": 2, "weight": [[1, 2, 3], [-1, 0, 1]], "bias": [0.5, -0.5], "activation": "elu" },
              { "op": "affine", "shift": 0.25 }
            ],
              "inputs": [ { "name": "obs_0", "size": 2 }, { "name": "obs_1", "size": 1 } ],
              "constants": [ { "name": "version_number", "values": 3 }, { "name": "shape", "values": [2, 1] } ] }
            """;
        var training = CompiledNetworks.Compile(new[] { json }, trainable: true).Training(0);
        string description = training.ToDescription(training.NewModel());
        Assert.Contains("\"inputs\": [", description);
        Assert.Contains("\"constants\": [", description);

        // Compiled back, it has the same members and computes the same, affine steps included.
        var again = CompiledNetworks.Compile(new[] { json, description });
        Assert.Equal(2, again.Constant(1, "Obs1Offset"));
        Assert.Equal(3, again.Constant(1, "VersionNumber"));
        Assert.Contains("ReadOnlySpan<float> Shape => new float[] { 2f, 1f };", again.Source);
        float[] x = { 0.5f, -1f, 2f, 3f, 0f, -2f };
        float[] first = new float[4], second = new float[4];
        again[0].ForwardBatch(x, first);
        again[1].ForwardBatch(x, second);
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_training_step_allocates_nothing_after_construction()
    {
        var model = new TrainableDigits.Model();
        var cache = new TrainableDigits.BatchCache(maxRows: 16);
        var adam = new Adam();
        var sgd = new Sgd(0.01f, momentum: 0.9f, nesterov: true);
        var adamW = new AdamW();
        float[] x = new float[16 * TrainableDigits.InputSize];
        float[] y = new float[16 * TrainableDigits.OutputSize];
        float[] dy = new float[y.Length];
        float[] dx = new float[x.Length];
        int[] labels = new int[16];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (i % 17) / 16f;
        }

        void Step()
        {
            model.ForwardBatch(x, y, cache);
            Loss.CrossEntropy(y, labels, dy);
            Loss.MeanSquaredError(y, y, dy);
            Loss.BinaryCrossEntropyWithLogits(y, y, dy);
            model.ZeroGradients();
            model.BackwardBatch(cache, dy, dx);
            Clip.GradientNorm(model.Gradients, 1f);
            adam.Step(model.Parameters, model.Gradients);
            sgd.Step(model.Parameters, model.Gradients);
            adamW.Step(model.Parameters, model.Gradients);
        }

        Assert.Equal(0, Allocations.Steady(Step, calls: 10));
    }
}
