//! Drawing straight into a leased output's scanout buffers: each buffer's DMA-BUF is
//! an EGLImage behind a texture, attached to a framebuffer object; frames go to the
//! buffer not on screen, which a page flip then shows.

use glow::HasContext;

use super::egl::{Egl, ImageTargetTexture};
use super::texture;
use crate::present::Lease;
use crate::{Error, Result};

pub(crate) struct Scanout {
    /// The leased output and its buffers; the GL objects made from them are deleted
    /// (`delete`) and the EGL images dropped with the renderer's `Egl` before it goes.
    lease: Box<Lease>,
    targets: Vec<(glow::Texture, glow::Framebuffer)>,
    /// The buffer drawn next.
    back: usize,
}

impl Scanout {
    pub fn new(
        gl: &glow::Context,
        egl: &mut Egl,
        target_texture: Option<ImageTargetTexture>,
        lease: Lease,
    ) -> Result<Scanout> {
        let target_texture = target_texture.ok_or_else(|| {
            Error::unsupported(
                "the GL driver lacks GL_OES_EGL_image, so it cannot draw into the leased \
                 output's buffers",
            )
        })?;
        let mut this = Scanout {
            lease: Box::new(lease),
            targets: Vec::new(),
            back: 0,
        };
        let identity = [glow::RED, glow::GREEN, glow::BLUE, glow::ALPHA];
        for index in 0..this.lease.buffers.len() {
            let image = egl.import(&this.lease.buffers[index].dmabuf)?;
            let texture = match texture::new_texture(gl, identity) {
                Ok(t) => t,
                Err(e) => {
                    this.delete(gl);
                    return Err(e);
                }
            };
            // SAFETY: `texture` is bound to TEXTURE_2D and `image` is a live EGLImage;
            // the framebuffer object is made and checked on the current context.
            let made = unsafe {
                target_texture(glow::TEXTURE_2D, image.as_ptr());
                gl.create_framebuffer().map(|fbo| {
                    gl.bind_framebuffer(glow::FRAMEBUFFER, Some(fbo));
                    gl.framebuffer_texture_2d(
                        glow::FRAMEBUFFER,
                        glow::COLOR_ATTACHMENT0,
                        glow::TEXTURE_2D,
                        Some(texture),
                        0,
                    );
                    (fbo, gl.check_framebuffer_status(glow::FRAMEBUFFER))
                })
            };
            let fbo = match made {
                Ok((fbo, glow::FRAMEBUFFER_COMPLETE)) => fbo,
                Ok((fbo, status)) => {
                    // SAFETY: deleting what was made just above.
                    unsafe {
                        gl.delete_framebuffer(fbo);
                        gl.delete_texture(texture);
                    }
                    this.delete(gl);
                    return Err(Error::unsupported(format!(
                        "the GL driver cannot draw into the leased output's buffers \
                         (framebuffer status {status:#x})"
                    )));
                }
                Err(e) => {
                    // SAFETY: deleting the texture made above.
                    unsafe { gl.delete_texture(texture) };
                    this.delete(gl);
                    return Err(Error::unsupported(format!(
                        "cannot create a framebuffer: {e}"
                    )));
                }
            };
            this.targets.push((texture, fbo));
        }
        Ok(this)
    }

    /// The framebuffer object to draw the next frame into.
    pub fn framebuffer(&self) -> Option<glow::Framebuffer> {
        self.targets.get(self.back).map(|&(_, fbo)| fbo)
    }

    /// Finishes the frame drawn into the back buffer and flips to it (waiting for
    /// the flip, so rendering runs at the output's refresh).
    pub fn present(&mut self, gl: &glow::Context) -> Result<()> {
        self.lease.check()?;
        // SAFETY: a GL call on the current context. The buffer is complete before the
        // display engine reads it.
        unsafe { gl.finish() };
        self.lease.show(self.back)?;
        self.back = (self.back + 1) % self.targets.len().max(1);
        Ok(())
    }

    pub fn delete(&mut self, gl: &glow::Context) {
        for (texture, fbo) in self.targets.drain(..) {
            // SAFETY: deleting objects this struct made.
            unsafe {
                gl.delete_framebuffer(fbo);
                gl.delete_texture(texture);
            }
        }
    }
}
