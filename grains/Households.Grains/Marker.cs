namespace Households.Grains; public static class Marker {}
