<?php

declare(strict_types=1);

namespace Drupal\course_catalog\Form;

use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Session\AccountInterface;
use Drupal\course_catalog\EnrollmentManagerInterface;
use Drupal\node\NodeInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Asks a member to confirm taking a seat in a course.
 */
class EnrollmentForm extends FormBase {

  public function __construct(
    protected readonly EnrollmentManagerInterface $enrollments,
    protected readonly DateFormatterInterface $dateFormatter,
    protected readonly AccountInterface $account,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('course_catalog.enrollment_manager'),
      $container->get('date.formatter'),
      $container->get('current_user'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'course_catalog_enrollment';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state, ?NodeInterface $node = NULL): array {
    $form_state->set('course', $node);
    $start = $node->get('field_start_date')->date;
    $seats = $this->enrollments->seatsRemaining($node);

    $form['summary'] = [
      '#theme' => 'item_list',
      '#items' => [
        $this->t('Course: %title', ['%title' => $node->label()]),
        $this->t('Starts: @date', ['@date' => $start ? $this->dateFormatter->format($start->getTimestamp(), 'long') : $this->t('to be announced')]),
        $seats === NULL ? $this->t('Open to everyone') : $this->formatPlural($seats, 'One seat left', '@count seats left'),
      ],
    ];
    $form['actions'] = ['#type' => 'actions'];
    $form['actions']['submit'] = [
      '#type' => 'submit',
      '#value' => $this->t('Confirm enrollment'),
      '#button_type' => 'primary',
    ];
    $form['actions']['cancel'] = [
      '#type' => 'link',
      '#title' => $this->t('Cancel'),
      '#url' => $node->toUrl(),
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $course = $form_state->get('course');
    if ($this->enrollments->isEnrolled($course, $this->account)) {
      $form_state->setError($form, $this->t('You are already enrolled in %title.', ['%title' => $course->label()]));
      return;
    }
    $status = $this->enrollments->status($course);
    if ($status === EnrollmentManagerInterface::STATUS_FULL) {
      $form_state->setError($form, $this->t('Sorry, every seat in %title has been taken.', ['%title' => $course->label()]));
    }
    elseif ($status === EnrollmentManagerInterface::STATUS_CLOSED) {
      $form_state->setError($form, $this->t('Enrollment in %title is closed.', ['%title' => $course->label()]));
    }
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $course = $form_state->get('course');
    $this->enrollments->enroll($course, $this->account);
    $this->messenger()->addStatus($this->t('You are enrolled in %title. See you there!', ['%title' => $course->label()]));
    $form_state->setRedirectUrl($course->toUrl());
  }

}
