package org.cnnc.runtime.io;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Turns a picture into a network input: the shorter side scaled to {@code size} (bilinear),
 * the centre {@code size × size} cropped, values scaled to [0, 1], then (x − mean) / std per
 * channel, laid out C, H, W (RGB, or one grey channel).
 */
public final class Images {
    private Images() {}

    public static float[] read(Path file, int channels, int size, float[] mean, float[] std) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException("not a picture ImageIO can read (PNG, JPEG, BMP, GIF)");
        }
        return toTensor(image, channels, size, mean, std);
    }

    public static float[] toTensor(BufferedImage image, int channels, int size, float[] mean, float[] std) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("an image gives 1 (grey) or 3 (RGB) channels, not " + channels);
        }
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("mean and std need " + channels + " values each");
        }
        BufferedImage square = centreCrop(image, size);
        float[] out = new float[channels * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = square.getRGB(x, y);
                float r = ((rgb >> 16) & 0xff) / 255f, g = ((rgb >> 8) & 0xff) / 255f, b = (rgb & 0xff) / 255f;
                int at = y * size + x;
                if (channels == 1) {
                    out[at] = (0.299f * r + 0.587f * g + 0.114f * b - mean[0]) / std[0];
                } else {
                    out[at] = (r - mean[0]) / std[0];
                    out[size * size + at] = (g - mean[1]) / std[1];
                    out[2 * size * size + at] = (b - mean[2]) / std[2];
                }
            }
        }
        return out;
    }

    private static BufferedImage centreCrop(BufferedImage image, int size) {
        double scale = (double) size / Math.min(image.getWidth(), image.getHeight());
        int w = Math.max(size, (int) Math.round(image.getWidth() * scale));
        int h = Math.max(size, (int) Math.round(image.getHeight() * scale));
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, -(w - size) / 2, -(h - size) / 2, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
