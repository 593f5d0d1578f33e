<?php

declare(strict_types=1);

namespace Drupal\course_catalog\Plugin\Block;

use Drupal\Core\Block\Attribute\Block;
use Drupal\Core\Block\BlockBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\course_catalog\CourseCatalogQuery;
use Drupal\course_catalog\EnrollmentManagerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Lists the next courses to start, with their dates and free seats.
 */
#[Block(
  id: 'course_catalog_upcoming',
  admin_label: new TranslatableMarkup('Upcoming courses'),
  category: new TranslatableMarkup('Course catalog'),
)]
class UpcomingCoursesBlock extends BlockBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly CourseCatalogQuery $catalogQuery,
    protected readonly EnrollmentManagerInterface $enrollments,
    protected readonly DateFormatterInterface $dateFormatter,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $configuration,
      $plugin_id,
      $plugin_definition,
      $container->get('course_catalog.query'),
      $container->get('course_catalog.enrollment_manager'),
      $container->get('date.formatter'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function defaultConfiguration(): array {
    return ['limit' => 3, 'category' => NULL] + parent::defaultConfiguration();
  }

  /**
   * {@inheritdoc}
   */
  public function blockForm($form, FormStateInterface $form_state): array {
    $form['limit'] = [
      '#type' => 'number',
      '#title' => $this->t('Courses to show'),
      '#min' => 1,
      '#max' => 10,
      '#default_value' => $this->configuration['limit'],
    ];
    $form['category'] = [
      '#type' => 'number',
      '#title' => $this->t('Only courses in category (term ID)'),
      '#default_value' => $this->configuration['category'],
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function blockSubmit($form, FormStateInterface $form_state): void {
    $this->configuration['limit'] = (int) $form_state->getValue('limit');
    $category = $form_state->getValue('category');
    $this->configuration['category'] = $category === '' ? NULL : (int) $category;
  }

  /**
   * {@inheritdoc}
   */
  public function build(): array {
    $build = ['#cache' => ['tags' => ['node_list:course'], 'max-age' => 3600]];
    foreach ($this->catalogQuery->upcoming((int) $this->configuration['limit'], $this->configuration['category']) as $course) {
      $start = $course->get('field_start_date')->date;
      $build[$course->id()] = [
        '#type' => 'component',
        '#component' => 'course_catalog:course-card',
        '#props' => [
          'title' => $course->label(),
          'url' => $course->toUrl()->toString(),
          'code' => $course->get('field_course_code')->value ?? '',
          'start_date' => $start ? $this->dateFormatter->format($start->getTimestamp(), 'medium') : '',
          'status' => $this->enrollments->status($course),
          'seats_remaining' => $this->enrollments->seatsRemaining($course),
        ],
        '#cache' => ['tags' => $course->getCacheTags()],
      ];
    }
    return $build;
  }

}
