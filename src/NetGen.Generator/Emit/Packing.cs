using System.Collections.Generic;

namespace NetGen.Generator.Emit;

/// <summary>
/// The build-time half of <c>NetGen.Runtime.PackedLinear</c>: the panel layout its kernels read.
/// The two must agree; a test packs the same matrix with both.
/// </summary>
internal static class Packing
{
    /// <summary>Rows per panel, as <c>PackedLinear.PanelWidth</c> (both are <see cref="Contract.PanelWidth"/>).</summary>
    public const int PanelWidth = Contract.PanelWidth;

    /// <summary>
    /// Panel <c>p</c> holds, for each column <c>k</c> in order, <c>W[16p + l, k]</c> for
    /// <c>l = 0..15</c>, with zeros past the last row.
    /// </summary>
    public static float[] Pack(IReadOnlyList<float> weight, int rows, int columns)
    {
        int panels = (rows + PanelWidth - 1) / PanelWidth;
        var packed = new float[(long)panels * PanelWidth * columns];
        for (int p = 0; p < panels; p++)
        {
            for (int l = 0; l < PanelWidth; l++)
            {
                int r = (p * PanelWidth) + l;
                if (r >= rows)
                {
                    break;
                }

                for (int k = 0; k < columns; k++)
                {
                    packed[((((long)p * columns) + k) * PanelWidth) + l] = weight[(r * columns) + k];
                }
            }
        }

        return packed;
    }
}
