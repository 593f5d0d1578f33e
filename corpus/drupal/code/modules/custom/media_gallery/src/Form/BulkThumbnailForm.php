<?php

declare(strict_types=1);

namespace Drupal\media_gallery\Form;

use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Queue\QueueFactory;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Queues thumbnail generation for every image already in an album.
 *
 * Used after adding a new image style, so existing albums do not render
 * their derivatives on the first visit.
 */
class BulkThumbnailForm extends FormBase {

  public function __construct(
    protected readonly EntityTypeManagerInterface $entityTypeManager,
    protected readonly QueueFactory $queueFactory,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('entity_type.manager'),
      $container->get('queue'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'media_gallery_bulk_thumbnails';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $queued = $this->queueFactory->get('media_gallery_thumbnail_warmup')->numberOfItems();
    $form['status'] = [
      '#type' => 'item',
      '#markup' => $this->formatPlural($queued, 'One image is waiting for its thumbnails.', '@count images are waiting for their thumbnails.'),
    ];
    $form['styles'] = [
      '#type' => 'checkboxes',
      '#title' => $this->t('Image styles to generate'),
      '#options' => array_map(
        static fn ($style) => $style->label(),
        $this->entityTypeManager->getStorage('image_style')->loadMultiple(),
      ),
      '#default_value' => $this->config('media_gallery.settings')->get('warmup_styles') ?: [],
      '#required' => TRUE,
    ];
    $form['actions'] = ['#type' => 'actions'];
    $form['actions']['submit'] = [
      '#type' => 'submit',
      '#value' => $this->t('Queue thumbnails'),
      '#button_type' => 'primary',
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $styles = array_values(array_filter($form_state->getValue('styles')));
    $ids = $this->entityTypeManager->getStorage('media')->getQuery()
      ->accessCheck(FALSE)
      ->condition('bundle', 'image')
      ->exists('field_gallery')
      ->execute();

    $queue = $this->queueFactory->get('media_gallery_thumbnail_warmup');
    foreach ($ids as $mid) {
      $queue->createItem(['mid' => (int) $mid, 'styles' => $styles]);
    }
    $this->messenger()->addStatus($this->formatPlural(
      count($ids),
      'Queued thumbnails for one image. They are generated during cron runs.',
      'Queued thumbnails for @count images. They are generated during cron runs.',
    ));
  }

}
