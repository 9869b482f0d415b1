//! Drawing with no window: a framebuffer object with one colour renderbuffer.

use glow::HasContext;

use crate::{Error, Result};

pub(crate) struct Offscreen {
    pub framebuffer: glow::Framebuffer,
    renderbuffer: glow::Renderbuffer,
}

impl Offscreen {
    pub fn new(gl: &glow::Context, (width, height): (u32, u32)) -> Result<Offscreen> {
        // SAFETY: plain GL calls on the current context.
        unsafe {
            let framebuffer = gl
                .create_framebuffer()
                .map_err(|e| Error::unsupported(format!("cannot create a framebuffer: {e}")))?;
            let renderbuffer = match gl.create_renderbuffer() {
                Ok(r) => r,
                Err(e) => {
                    gl.delete_framebuffer(framebuffer);
                    return Err(Error::unsupported(format!(
                        "cannot create a renderbuffer: {e}"
                    )));
                }
            };
            let this = Offscreen {
                framebuffer,
                renderbuffer,
            };
            gl.bind_renderbuffer(glow::RENDERBUFFER, Some(renderbuffer));
            gl.renderbuffer_storage(glow::RENDERBUFFER, glow::RGBA8, width as i32, height as i32);
            gl.bind_framebuffer(glow::FRAMEBUFFER, Some(framebuffer));
            gl.framebuffer_renderbuffer(
                glow::FRAMEBUFFER,
                glow::COLOR_ATTACHMENT0,
                glow::RENDERBUFFER,
                Some(renderbuffer),
            );
            let status = gl.check_framebuffer_status(glow::FRAMEBUFFER);
            if status != glow::FRAMEBUFFER_COMPLETE {
                this.delete(gl);
                return Err(Error::unsupported(format!(
                    "a {width}x{height} offscreen framebuffer is incomplete (status {status:#x}); \
                     the size may exceed the GPU's limit"
                )));
            }
            Ok(this)
        }
    }

    pub fn delete(&self, gl: &glow::Context) {
        // SAFETY: deleting objects this struct created.
        unsafe {
            gl.delete_framebuffer(self.framebuffer);
            gl.delete_renderbuffer(self.renderbuffer);
        }
    }
}
