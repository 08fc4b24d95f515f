#include "media/picture_size.h"

#include "media/av_ptr.h"

namespace pw::media {

void FillPictureSizeFromKeyframe(AVCodecParameters* par, const AVPacket& key) {
  if (par->width > 0 && par->height > 0) return;
  AVCodecParserContext* parser = av_parser_init(par->codec_id);
  if (!parser) return;
  parser->flags |= PARSER_FLAG_COMPLETE_FRAMES;
  CodecContextPtr ctx(avcodec_alloc_context3(nullptr));
  if (ctx && avcodec_parameters_to_context(ctx.get(), par) >= 0) {
    const uint8_t* data = key.data;
    int size = key.size;
    while (size > 0) {
      uint8_t* out = nullptr;
      int out_size = 0;
      const int n = av_parser_parse2(parser, ctx.get(), &out, &out_size, data, size, key.pts, key.dts, 0);
      if (n <= 0) break;
      data += n;
      size -= n;
    }
    if (parser->width > 0 && parser->height > 0) {
      par->width = parser->width;
      par->height = parser->height;
    } else if (ctx->width > 0 && ctx->height > 0) {
      par->width = ctx->width;
      par->height = ctx->height;
    }
  }
  av_parser_close(parser);
}

}  // namespace pw::media
